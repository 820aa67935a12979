import { useMemo } from 'react';
import { useController } from 'react-hook-form';
import type { Control } from 'react-hook-form';
import IconButton from '@mui/material/IconButton';
import InputAdornment from '@mui/material/InputAdornment';
import Paper from '@mui/material/Paper';
import Typography from '@mui/material/Typography';
import useAutocomplete, { createFilterOptions } from '@mui/material/useAutocomplete';
import { ROLES_BY_GROUP, isClinicRole, roleGroup } from '../../../contract/roles.ts';
import type { InviteUser, InviteUserInput } from '../../../contract/users.ts';
import { ArrowDropDownIcon } from '../../components/icons.tsx';
import { TextInput } from '../../components/text-input.tsx';

const ID = 'invite-clinic-role';

/** The heading over a role the person holds that Avara's list no longer has (edit only). */
export const CURRENT_ROLE_GROUP = 'Current role, no longer offered';

function groupOf(role: string): string {
  return isClinicRole(role) ? roleGroup(role) : CURRENT_ROLE_GROUP;
}

// A search matches the role's name or its group's ("laboratory" finds every laboratory role).
const filterOptions = createFilterOptions<string>({ stringify: (role) => `${role} ${groupOf(role)}` });

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
 * The clinic role: a searchable, grouped list of Avara's roles. Type to filter (by role or group), arrows to move,
 * Enter to choose; only roles from the list can be chosen, and the chosen one stays visible in the field. When
 * editing someone whose role is no longer on the list, that role is shown as it is (under its own heading) and
 * stays unless another is chosen.
 *
 * This is MUI's Autocomplete logic (its `useAutocomplete` hook: the same keyboard handling, filtering and ARIA
 * combobox wiring) with the listbox drawn in place under the input. The Autocomplete component would add Popper.js
 * and a portal, about 13 kB gzip of the invite screen's first load (see README, "Design decisions").
 */
export function RoleField<Out = InviteUser>({
  control,
  currentRole,
}: {
  /** The invite form's control, or an edit form's (same values, another resolver output). */
  control: Control<InviteUserInput, unknown, Out>;
  /** Edit only: the person's role when it is not on the list (the form's value then stays unset: no change). */
  currentRole?: string | undefined;
}) {
  const { field, fieldState } = useController({ control, name: 'clinicRole' });
  const options = useMemo(
    () => (currentRole === undefined ? ROLES_BY_GROUP : [currentRole, ...ROLES_BY_GROUP]),
    [currentRole],
  );
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
    options,
    groupBy: groupOf,
    filterOptions,
    value: field.value ?? currentRole ?? null,
    onChange: (_event, role) => field.onChange(role !== null && isClinicRole(role) ? role : undefined),
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
        helperText={
          fieldState.error?.message ?? 'Type to search by role or group, for example “nurse” or “lab”.'
        }
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
