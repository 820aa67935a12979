import { useController } from 'react-hook-form';
import type { Control } from 'react-hook-form';
import IconButton from '@mui/material/IconButton';
import InputAdornment from '@mui/material/InputAdornment';
import Paper from '@mui/material/Paper';
import Typography from '@mui/material/Typography';
import useAutocomplete from '@mui/material/useAutocomplete';
import { ROLES_BY_GROUP, roleGroup } from '../../../contract/roles.ts';
import type { InviteUser, InviteUserInput } from '../../../contract/users.ts';
import { ArrowDropDownIcon } from '../../components/icons.tsx';
import { TextInput } from '../../components/text-input.tsx';

const ID = 'invite-clinic-role';

const POPUP_STYLE = {
  position: 'absolute',
  top: 'calc(100% + 4px)',
  left: 0,
  right: 0,
  zIndex: 'modal',
  maxHeight: 'min(45vh, 360px)',
  overflow: 'auto',
} as const;

// The option states are the classes and attributes useAutocomplete sets: .Mui-focused on the highlighted option,
// aria-selected on the chosen one.
const LIST_STYLE = {
  listStyle: 'none',
  m: 0,
  p: 0,
  pb: 1,
  '& ul': { listStyle: 'none', m: 0, p: 0 },
  '& .role-group-label': {
    position: 'sticky',
    top: 0,
    zIndex: 1,
    bgcolor: 'background.paper',
    px: 2,
    pt: 1,
    pb: 0.5,
    typography: 'overline',
    lineHeight: 2,
    color: 'text.secondary',
  },
  '& [role="option"]': {
    px: 2,
    py: 1,
    minHeight: 40,
    cursor: 'pointer',
    typography: 'body1',
  },
  '& [role="option"].Mui-focused': { bgcolor: 'action.hover' },
  '& [role="option"].Mui-focusVisible': { bgcolor: 'action.focus' },
  '& [role="option"][aria-selected="true"]': { bgcolor: 'action.selected', fontWeight: 600 },
} as const;

/**
 * The clinic role: a searchable, grouped list of the 21 roles. Type to filter, arrows to move, Enter to choose;
 * only roles from the list can be chosen, and the chosen one stays visible in the field.
 *
 * This is MUI's Autocomplete logic (its `useAutocomplete` hook: the same keyboard handling, filtering and ARIA
 * combobox wiring) with the listbox drawn in place under the input. The Autocomplete component would add Popper.js
 * and a portal, about 13 kB gzip of the invite screen's first load (see README, "Design decisions").
 */
export function RoleField<Out = InviteUser>({
  control,
}: {
  /** The invite form's control, or an edit form's (same values, another resolver output). */
  control: Control<InviteUserInput, unknown, Out>;
}) {
  const { field, fieldState } = useController({ control, name: 'clinicRole' });
  const {
    getRootProps,
    getInputLabelProps,
    getInputProps,
    getPopupIndicatorProps,
    getListboxProps,
    getOptionProps,
    groupedOptions,
    popupOpen,
    inputValue,
  } = useAutocomplete({
    id: ID,
    options: ROLES_BY_GROUP,
    groupBy: roleGroup,
    value: field.value ?? null,
    onChange: (_event, role) => field.onChange(role ?? undefined),
    autoHighlight: true,
    selectOnFocus: true,
    handleHomeEndKeys: true,
  });

  let listbox = null;
  if (popupOpen && groupedOptions.length === 0) {
    listbox = (
      <Paper elevation={8} sx={POPUP_STYLE}>
        <Typography role="status" sx={{ px: 2, py: 1.5, color: 'text.secondary' }}>
          No role matches “{inputValue}”. Try another word, or choose Other.
        </Typography>
      </Paper>
    );
  } else if (popupOpen) {
    listbox = (
      <Paper elevation={8} component="ul" {...getListboxProps()} sx={{ ...POPUP_STYLE, ...LIST_STYLE }}>
        {groupedOptions.map((group) => (
          <li key={group.key} role="presentation">
            <div role="group" aria-labelledby={`${ID}-group-${group.key}`}>
              <div id={`${ID}-group-${group.key}`} className="role-group-label">
                {group.group}
              </div>
              <ul role="presentation">
                {group.options.map((role, offset) => {
                  const { key, ...optionProps } = getOptionProps({
                    option: role,
                    index: group.index + offset,
                  });
                  return (
                    <li key={key} {...optionProps}>
                      {role}
                    </li>
                  );
                })}
              </ul>
            </div>
          </li>
        ))}
      </Paper>
    );
  }

  return (
    <div {...getRootProps()}>
      <TextInput
        id={ID}
        name={field.name}
        inputRef={field.ref}
        label="Clinic role"
        required
        error={fieldState.error !== undefined}
        helperText={fieldState.error?.message ?? 'Type to search, for example “nurse” or “PACS”.'}
        slotProps={{
          inputLabel: getInputLabelProps(),
          input: {
            onBlur: field.onBlur,
            endAdornment: (
              <InputAdornment position="end">
                <IconButton
                  onClick={getPopupIndicatorProps().onClick}
                  tabIndex={-1}
                  edge="end"
                  aria-label={popupOpen ? 'Close the list of roles' : 'Open the list of roles'}
                >
                  <ArrowDropDownIcon sx={{ transform: popupOpen ? 'rotate(180deg)' : undefined }} />
                </IconButton>
              </InputAdornment>
            ),
          },
          htmlInput: getInputProps(),
        }}
        popup={listbox}
      />
    </div>
  );
}
