import { useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { CLINIC_ROLES, isClinicRole, roleGroup } from '../../../contract/roles.ts';
import type { ClinicRole } from '../../../contract/roles.ts';
import { SelectField } from '../../components/select-field.tsx';
import type { SelectOption } from '../../components/select-field.tsx';
import { INVITE_FIELDS, isInviteField } from '../person/field-names.ts';
import type { RowDefaults } from './cells.ts';
import { FIELD_LABELS } from './columns.ts';
import type { ColumnMapping } from './columns.ts';
import type { RoleQuestion } from './use-bulk-review.ts';

const NOT_USED = '';
const FIELD_OPTIONS: SelectOption[] = [
  { value: NOT_USED, label: 'Not used' },
  ...INVITE_FIELDS.map((field) => ({ value: field, label: FIELD_LABELS[field] })),
];
const REQUIRED = ['firstName', 'lastName', 'email'] as const;

const roleOption = (role: ClinicRole): SelectOption => ({
  value: role,
  label: `${role} (${roleGroup(role)})`,
});
const ROLE_OPTIONS = CLINIC_ROLES.map(roleOption);

export const columnName = (header: readonly string[], index: number) => {
  const name = header[index]?.trim() ?? '';
  return name === '' ? `Column ${index + 1}` : name;
};

/** Which column holds which field, changeable; the admin sees an example value of each. */
export function ColumnMappingSection({
  header,
  example,
  mapping,
  onMap,
}: {
  header: readonly string[];
  example: readonly string[] | undefined;
  mapping: ColumnMapping;
  onMap: (index: number, field: (typeof INVITE_FIELDS)[number] | null) => void;
}) {
  const missing = REQUIRED.filter((field) => !mapping.includes(field));
  return (
    <Stack component="section" spacing={2} aria-labelledby="bulk-columns-heading">
      <Typography id="bulk-columns-heading" variant="h2">
        Columns
      </Typography>
      <Typography color="text.secondary">
        Each column was matched to a field by its header. Change any that are wrong.
      </Typography>
      <Box
        sx={{
          display: 'grid',
          gap: 2,
          gridTemplateColumns: { xs: 'minmax(0, 1fr)', sm: 'repeat(auto-fill, minmax(220px, 1fr))' },
        }}
      >
        {header.map((_, index) => (
          <Stack key={index} spacing={0.5}>
            <SelectField
              label={`“${columnName(header, index)}” is`}
              value={mapping[index] ?? NOT_USED}
              options={FIELD_OPTIONS}
              onChange={(value) => onMap(index, isInviteField(value) ? value : null)}
            />
            <Typography variant="caption" color="text.secondary" sx={{ overflowWrap: 'anywhere' }}>
              {example?.[index]?.trim() ? `For example: ${example[index]?.trim()}` : 'Empty in the first row'}
            </Typography>
          </Stack>
        ))}
      </Box>
      {missing.length > 0 ? (
        <Alert severity="warning">
          No column holds the {missing.map((field) => FIELD_LABELS[field].toLowerCase()).join(', ')}. Choose
          the column that does, or add it to the sheet.
        </Alert>
      ) : null}
    </Stack>
  );
}

const YES_NO: SelectOption[] = [
  { value: 'no', label: 'No' },
  { value: 'yes', label: 'Yes' },
];

/** One value for every row without its own (no such column, or a blank cell). */
export function RowDefaultsSection({
  defaults,
  onChange,
  mapping,
}: {
  defaults: RowDefaults;
  onChange: (defaults: RowDefaults) => void;
  mapping: ColumnMapping;
}) {
  const has = (field: (typeof INVITE_FIELDS)[number]) => mapping.includes(field);
  return (
    <Stack component="section" spacing={2} aria-labelledby="bulk-defaults-heading">
      <Typography id="bulk-defaults-heading" variant="h2">
        For rows without a value
      </Typography>
      <Typography color="text.secondary">
        Used where the sheet has no such column or the cell is blank. An admin always gets dashboard access
        unless their row says no.
      </Typography>
      <Box
        sx={{
          display: 'grid',
          gap: 2,
          gridTemplateColumns: { xs: 'minmax(0, 1fr)', sm: 'repeat(auto-fill, minmax(220px, 1fr))' },
        }}
      >
        <SelectField
          label={has('level') ? 'Level (blank cells)' : 'Level (everyone)'}
          value={defaults.level}
          options={[
            { value: 'member', label: 'Member' },
            { value: 'admin', label: 'Admin' },
          ]}
          onChange={(value) => onChange({ ...defaults, level: value === 'admin' ? 'admin' : 'member' })}
        />
        <SelectField
          label={has('hasDashboardAccess') ? 'Dashboard access (blank cells)' : 'Dashboard access (everyone)'}
          value={defaults.hasDashboardAccess ? 'yes' : 'no'}
          options={YES_NO}
          onChange={(value) => onChange({ ...defaults, hasDashboardAccess: value === 'yes' })}
        />
        <SelectField
          label={has('canManageStudies') ? 'Manage studies (blank cells)' : 'Manage studies (everyone)'}
          value={defaults.canManageStudies ? 'yes' : 'no'}
          options={YES_NO}
          onChange={(value) => onChange({ ...defaults, canManageStudies: value === 'yes' })}
        />
        <SelectField
          label={has('clinicRole') ? 'Role (blank cells)' : 'Role (everyone)'}
          value={defaults.clinicRole ?? ''}
          options={[{ value: '', label: 'None: the row needs one' }, ...ROLE_OPTIONS]}
          onChange={(value) => onChange({ ...defaults, clinicRole: isClinicRole(value) ? value : null })}
        />
      </Box>
    </Stack>
  );
}

/** A role cell not on the list: confirm a suggestion (or another role) once for every row that says the same. */
function RoleQuestionRow({
  question,
  onDecide,
}: {
  question: RoleQuestion;
  onDecide: (key: string, role: ClinicRole) => void;
}) {
  const [choice, setChoice] = useState<string>(question.suggestions[0] ?? '');
  const suggested = question.suggestions.map(roleOption);
  const others = ROLE_OPTIONS.filter((option) => !question.suggestions.some((role) => role === option.value));
  const rowsText = question.rows === 1 ? '1 row' : `${question.rows} rows`;
  return (
    <Stack
      component="li"
      direction={{ xs: 'column', sm: 'row' }}
      spacing={2}
      sx={{ alignItems: { sm: 'center' }, py: 1 }}
    >
      <Typography sx={{ minWidth: { sm: 220 }, overflowWrap: 'anywhere' }}>
        “{question.text}” ({rowsText})
        {question.suggestions.length > 0 ? null : (
          <Typography component="span" variant="body2" color="text.secondary" sx={{ display: 'block' }}>
            No close match: choose a role.
          </Typography>
        )}
      </Typography>
      <Box sx={{ flexGrow: 1, maxWidth: { sm: 360 } }}>
        <SelectField
          label={
            question.suggestions.length > 0
              ? `Did you mean (for “${question.text}”)`
              : `Role for “${question.text}”`
          }
          value={choice}
          options={[
            ...(question.suggestions.length > 0 ? [] : [{ value: '', label: 'Choose a role' }]),
            ...suggested,
            ...others,
          ]}
          onChange={setChoice}
        />
      </Box>
      <Button
        variant="outlined"
        disabled={!isClinicRole(choice)}
        onClick={() => {
          if (isClinicRole(choice)) onDecide(question.key, choice);
        }}
      >
        Use for {rowsText}
      </Button>
    </Stack>
  );
}

export function RoleQuestionsSection({
  questions,
  decisions,
  onDecide,
}: {
  questions: readonly RoleQuestion[];
  decisions: ReadonlyMap<string, ClinicRole>;
  onDecide: (key: string, role: ClinicRole | null) => void;
}) {
  if (questions.length === 0 && decisions.size === 0) return null;
  return (
    <Stack component="section" spacing={1} aria-labelledby="bulk-roles-heading">
      <Typography id="bulk-roles-heading" variant="h2">
        Roles to confirm
      </Typography>
      {questions.length > 0 ? (
        <Typography color="text.secondary">
          These roles are not on the list. Confirm the right one once for all rows that say it.
        </Typography>
      ) : null}
      <Box component="ul" sx={{ listStyle: 'none', m: 0, p: 0 }}>
        {questions.map((question) => (
          <RoleQuestionRow key={question.key} question={question} onDecide={onDecide} />
        ))}
      </Box>
      {decisions.size > 0 ? (
        <Box component="ul" aria-label="Confirmed roles" sx={{ m: 0, pl: 3 }}>
          {[...decisions].map(([key, role]) => (
            <li key={key}>
              <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
                <Typography>
                  “{key}” is {role}
                </Typography>
                <Button
                  size="small"
                  onClick={() => onDecide(key, null)}
                  aria-label={`Undo “${key}” is ${role}`}
                >
                  Undo
                </Button>
              </Stack>
            </li>
          ))}
        </Box>
      ) : null}
    </Stack>
  );
}
