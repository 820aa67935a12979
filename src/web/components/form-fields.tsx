import type { ReactNode } from 'react';
import { useController } from 'react-hook-form';
import type { Control, FieldPath, FieldValues } from 'react-hook-form';
import { TextInput } from './text-input.tsx';
import type { TextInputProps } from './text-input.tsx';

type FormTextFieldProps<Values extends FieldValues, Out = Values> = Omit<
  TextInputProps,
  'name' | 'label' | 'value' | 'onChange' | 'onBlur' | 'error' | 'helperText' | 'required' | 'inputRef'
> & {
  /** Any form whose values include this field, whatever its resolver turns them into (`Out`). */
  control: Control<Values, unknown, Out>;
  name: FieldPath<Values>;
  label: string;
  /** Required fields get an asterisk and the `required` state; the others say "(optional)" in their label. */
  required?: boolean;
  /** Shown while the field has no error; the error message replaces it. */
  hint?: ReactNode;
};

/** A text field bound to react-hook-form: value, blur, focus-on-error and the error message all wired. */
export function FormTextField<Values extends FieldValues, Out = Values>({
  control,
  name,
  label,
  required = false,
  hint,
  ...rest
}: FormTextFieldProps<Values, Out>) {
  const { field, fieldState } = useController({ control, name });
  const value: unknown = field.value;
  return (
    <TextInput
      {...rest}
      name={field.name}
      value={typeof value === 'string' ? value : ''}
      onChange={field.onChange}
      onBlur={field.onBlur}
      inputRef={field.ref}
      label={required ? label : `${label} (optional)`}
      required={required}
      error={fieldState.error !== undefined}
      helperText={fieldState.error?.message ?? hint ?? ' '}
    />
  );
}
