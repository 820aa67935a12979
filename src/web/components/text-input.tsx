import { useId } from 'react';
import type { ChangeEventHandler, FocusEventHandler, HTMLAttributes, ReactNode, Ref } from 'react';
import Box from '@mui/material/Box';
import FormControl from '@mui/material/FormControl';
import FormHelperText from '@mui/material/FormHelperText';
import InputLabel from '@mui/material/InputLabel';
import type { InputLabelProps } from '@mui/material/InputLabel';
import OutlinedInput from '@mui/material/OutlinedInput';
import type { OutlinedInputProps } from '@mui/material/OutlinedInput';

export type TextInputProps = {
  id?: string;
  label: string;
  required?: boolean;
  error?: boolean;
  disabled?: boolean;
  fullWidth?: boolean;
  size?: 'small' | 'medium' | undefined;
  /** Linked to the input with aria-describedby. */
  helperText?: ReactNode;
  name?: string;
  value?: string;
  type?: string;
  autoComplete?: string;
  autoFocus?: boolean;
  inputMode?: HTMLAttributes<HTMLInputElement>['inputMode'];
  inputRef?: Ref<HTMLInputElement>;
  onChange?: ChangeEventHandler<HTMLInputElement>;
  onBlur?: FocusEventHandler<HTMLInputElement>;
  /** A popup anchored right below the input box (a combobox's listbox), positioned by CSS, no portal. */
  popup?: ReactNode;
  /** What MUI's Autocomplete passes to its `renderInput` (same shape as TextField's slotProps). */
  slotProps?: {
    inputLabel?: Partial<InputLabelProps>;
    input?: Partial<OutlinedInputProps>;
    htmlInput?: OutlinedInputProps['inputProps'];
  };
};

/**
 * An outlined text field built from its parts (FormControl, InputLabel, OutlinedInput, FormHelperText).
 * It behaves like MUI's TextField for a plain input, but does not pull TextField's Select, Menu and the other
 * input variants into the bundle. The label, the required state and the helper text are linked to the input.
 */
export function TextInput({
  id: idProp,
  label,
  required = false,
  error = false,
  disabled = false,
  fullWidth = true,
  size,
  helperText,
  inputMode,
  slotProps,
  popup,
  ...rest
}: TextInputProps) {
  const generatedId = useId();
  const id = idProp ?? generatedId;
  const helperTextId = helperText ? `${id}-helper-text` : undefined;
  const input = (
    <OutlinedInput
      {...rest}
      {...slotProps?.input}
      id={id}
      label={label}
      fullWidth={fullWidth}
      aria-describedby={helperTextId}
      inputProps={{ ...slotProps?.htmlInput, ...(inputMode ? { inputMode } : {}) }}
    />
  );
  return (
    <FormControl fullWidth={fullWidth} required={required} error={error} disabled={disabled} size={size}>
      <InputLabel htmlFor={id} id={`${id}-label`} {...slotProps?.inputLabel}>
        {label}
      </InputLabel>
      {popup === undefined ? (
        input
      ) : (
        <Box sx={{ position: 'relative' }}>
          {input}
          {popup}
        </Box>
      )}
      {helperText ? <FormHelperText id={helperTextId}>{helperText}</FormHelperText> : null}
    </FormControl>
  );
}
