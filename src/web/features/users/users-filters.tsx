import { useState } from 'react';
import type { FormEvent } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import { INVITED_SOURCES, READ_LEVELS } from '../../../contract/person.ts';
import { ListUsersQuerySchema } from '../../../contract/users.ts';
import type { ListUsersQuery } from '../../../contract/users.ts';
import { SelectField } from '../../components/select-field.tsx';
import { TextInput } from '../../components/text-input.tsx';
import { levelLabel } from '../../lib/format.ts';
import { readFilter } from '../../lib/list-url.ts';
import { sourceLabel } from '../person/person-format.ts';

export type UserFilters = Pick<
  ListUsersQuery,
  'level' | 'invitedSource' | 'email' | 'firstName' | 'lastName'
>;
export const USER_FILTER_NAMES = ['level', 'invitedSource', 'email', 'firstName', 'lastName'] as const;

const FIELD = ListUsersQuerySchema.shape;

/** The filters in the address (the BFF's own parameter names); values the contract refuses are ignored. */
export function readUserFilters(search: URLSearchParams): UserFilters {
  return {
    level: readFilter(search, 'level', FIELD.level),
    invitedSource: readFilter(search, 'invitedSource', FIELD.invitedSource),
    email: readFilter(search, 'email', FIELD.email),
    firstName: readFilter(search, 'firstName', FIELD.firstName),
    lastName: readFilter(search, 'lastName', FIELD.lastName),
  };
}

export function hasUserFilters(filters: UserFilters): boolean {
  return USER_FILTER_NAMES.some((name) => filters[name] !== undefined);
}

type Texts = { email: string; firstName: string; lastName: string };
const TEXT_NAMES = ['email', 'firstName', 'lastName'] as const;

const EMAIL_FILTER_HELP = 'The whole address: this finds one person exactly.';

/**
 * Level and source apply as soon as they are chosen; the text filters when the operator presses Enter or Search
 * (not on every key press, which would fill the browser history). Clear filters removes them all.
 */
export function UsersFilters({
  filters,
  onChange,
  onClear,
}: {
  filters: UserFilters;
  onChange: (changes: Partial<Record<keyof UserFilters, string | undefined>>) => void;
  onClear: () => void;
}) {
  const fromAddress: Texts = {
    email: filters.email ?? '',
    firstName: filters.firstName ?? '',
    lastName: filters.lastName ?? '',
  };
  const [texts, setTexts] = useState<Texts>(fromAddress);
  const [emailError, setEmailError] = useState<string | null>(null);
  // The address changed under the form (Back, Clear filters, a link): show what it says now. Adjusted while
  // rendering rather than by remounting, so the keyboard focus stays where it is.
  const [shown, setShown] = useState<Texts>(fromAddress);
  if (TEXT_NAMES.some((name) => shown[name] !== fromAddress[name])) {
    setShown(fromAddress);
    setTexts(fromAddress);
    setEmailError(null);
  }

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const email = texts.email.trim();
    if (email !== '' && !FIELD.email.safeParse(email).success) {
      setEmailError('Enter a whole email address, like name@clinic.org: this filter matches it exactly.');
      return;
    }
    setEmailError(null);
    onChange({
      email: email === '' ? undefined : email,
      firstName: texts.firstName.trim() || undefined,
      lastName: texts.lastName.trim() || undefined,
    });
  };

  const text = (name: keyof Texts) => ({
    value: texts[name],
    onChange: (event: { target: { value: string } }) => setTexts({ ...texts, [name]: event.target.value }),
  });

  return (
    <Paper variant="outlined" sx={{ p: 2 }}>
      <Box component="form" role="search" aria-label="Filter users" noValidate onSubmit={submit}>
        <Box
          sx={{
            display: 'grid',
            gap: 2,
            gridTemplateColumns: {
              xs: 'minmax(0, 1fr)',
              sm: 'repeat(2, minmax(0, 1fr))',
              md: 'repeat(5, minmax(0, 1fr))',
            },
          }}
        >
          <SelectField
            label="Level"
            value={filters.level ?? ''}
            options={[
              { value: '', label: 'Any level' },
              ...READ_LEVELS.map((level) => ({ value: level, label: levelLabel(level) })),
            ]}
            onChange={(value) => onChange({ level: value || undefined })}
          />
          <SelectField
            label="Source"
            value={filters.invitedSource ?? ''}
            options={[
              { value: '', label: 'Any source' },
              ...INVITED_SOURCES.map((source) => ({ value: source, label: sourceLabel(source) })),
            ]}
            onChange={(value) => onChange({ invitedSource: value || undefined })}
          />
          <TextInput
            label="Email (exact)"
            type="email"
            size="small"
            autoComplete="off"
            error={emailError !== null}
            helperText={emailError ?? EMAIL_FILTER_HELP}
            {...text('email')}
          />
          <TextInput label="First name contains" size="small" autoComplete="off" {...text('firstName')} />
          <TextInput label="Last name contains" size="small" autoComplete="off" {...text('lastName')} />
        </Box>
        <Stack direction="row" spacing={1} sx={{ mt: 1, flexWrap: 'wrap', rowGap: 1 }}>
          <Button type="submit" variant="contained">
            Search
          </Button>
          {hasUserFilters(filters) ? (
            <Button type="button" onClick={onClear}>
              Clear filters
            </Button>
          ) : null}
        </Stack>
      </Box>
    </Paper>
  );
}
