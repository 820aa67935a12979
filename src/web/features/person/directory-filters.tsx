import { useEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import FormControl from '@mui/material/FormControl';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormGroup from '@mui/material/FormGroup';
import FormLabel from '@mui/material/FormLabel';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import { DateOnlySchema } from '../../../contract/invitations.ts';
import { InvitedByFilterSchema, SearchSchema } from '../../../contract/directory.ts';
import { SelectField } from '../../components/select-field.tsx';
import { TextInput } from '../../components/text-input.tsx';
import { readFilter } from '../../lib/list-url.ts';
import { OTHER_INVITERS } from './directory.ts';
import { useOperatorNames } from './queries.ts';

/** Filters both directory lists share, as the address (and the BFF) name them. */
export interface CommonDirectoryFilters {
  q?: string | undefined;
  invitedBy?: string | undefined;
  invitedFrom?: string | undefined;
  invitedTo?: string | undefined;
}

export type FilterChanges = Readonly<Record<string, string | undefined>>;
export type OnFilterChange = (changes: FilterChanges, options?: { replace?: boolean }) => void;

/** The search, "invited by" and dates in the address; a value the contract refuses, or a range backwards, is ignored. */
export function readCommonFilters(search: URLSearchParams): CommonDirectoryFilters {
  const invitedFrom = readFilter(search, 'invitedFrom', DateOnlySchema);
  const invitedTo = readFilter(search, 'invitedTo', DateOnlySchema);
  const ordered = invitedFrom === undefined || invitedTo === undefined || invitedFrom <= invitedTo;
  return {
    q: readFilter(search, 'q', SearchSchema),
    invitedBy: readFilter(search, 'invitedBy', InvitedByFilterSchema),
    invitedFrom,
    invitedTo: ordered ? invitedTo : undefined,
  };
}

/** `a,b` in the address → the items `item` accepts (in `order` when given), or undefined when none. */
export function readList<T extends string>(
  search: URLSearchParams,
  name: string,
  accept: (value: string) => value is T,
): T[] | undefined {
  const raw = search.get(name);
  if (raw === null) return undefined;
  const items = [...new Set(raw.split(',').map((part) => part.trim()))].filter(accept);
  return items.length === 0 ? undefined : items;
}

const SEARCH_DELAY_MS = 150;

/**
 * The one search box. Results follow as the admin types (150 ms after the last key); the address is replaced, not
 * pushed, while typing, so Back leaves the screen rather than stepping through every letter. Enter searches at once.
 */
export function SearchBox({
  value,
  label,
  helperText,
  onChange,
}: {
  value: string | undefined;
  label: string;
  helperText: string;
  onChange: OnFilterChange;
}) {
  const fromAddress = value ?? '';
  const [text, setText] = useState(fromAddress);
  const [error, setError] = useState<string | null>(null);
  const [shown, setShown] = useState(fromAddress);
  // What this box last put in the address (its own searches are not changes "under" it).
  const [committed, setCommitted] = useState(fromAddress);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  // The address changed under the box (Back, Clear filters, a link), not by its own search: show what it says now.
  if (shown !== fromAddress) {
    setShown(fromAddress);
    if (fromAddress !== committed) {
      setCommitted(fromAddress);
      setText(fromAddress);
      setError(null);
    }
  }

  const commit = (typed: string) => {
    clearTimeout(timer.current);
    const trimmed = typed.trim();
    if (trimmed === '') {
      setError(null);
      setCommitted('');
      onChange({ q: undefined }, { replace: true });
      return;
    }
    const parsed = SearchSchema.safeParse(trimmed);
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message ?? 'This cannot be searched for.');
      return;
    }
    setError(null);
    if (parsed.data === committed) return;
    setCommitted(parsed.data);
    onChange({ q: parsed.data }, { replace: true });
  };

  return (
    <TextInput
      label={label}
      type="search"
      size="small"
      autoComplete="off"
      value={text}
      error={error !== null}
      helperText={error ?? helperText}
      onChange={(event) => {
        const typed = event.target.value;
        setText(typed);
        clearTimeout(timer.current);
        timer.current = setTimeout(() => commit(typed), SEARCH_DELAY_MS);
      }}
      slotProps={{
        htmlInput: {
          onKeyDown: (event: { key: string; preventDefault: () => void }) => {
            if (event.key === 'Enter') {
              event.preventDefault();
              commit(text);
            }
          },
        },
      }}
    />
  );
}

/** Who sent the invitations: an operator of this dashboard, through the API, or from Avara's own dashboard. */
export function InvitedByField({ value, onChange }: { value: string | undefined; onChange: OnFilterChange }) {
  const operators = useOperatorNames();
  const known = operators.data?.operators ?? [];
  const options = [
    { value: '', label: 'Anyone' },
    ...known.map((operator) => ({ value: operator.id, label: operator.displayName })),
    ...OTHER_INVITERS,
  ];
  // An operator from the address not (yet) in the list still shows as chosen.
  if (value !== undefined && !options.some((option) => option.value === value)) {
    options.push({
      value,
      label: operators.isPending ? 'Loading operators…' : 'An operator no longer listed',
    });
  }
  return (
    <SelectField
      label="Invited by"
      value={value ?? ''}
      options={options}
      onChange={(chosen) => onChange({ invitedBy: chosen || undefined })}
    />
  );
}

const isDate = (value: string) => DateOnlySchema.safeParse(value).success;

/** Invited (or sent) between two days; each applies once it is a whole, real date; a backwards range is explained. */
export function DateRangeFields({
  from,
  to,
  labels,
  onChange,
}: {
  from: string | undefined;
  to: string | undefined;
  labels: { from: string; to: string };
  onChange: OnFilterChange;
}) {
  const fromAddress = { invitedFrom: from ?? '', invitedTo: to ?? '' };
  const [dates, setDates] = useState(fromAddress);
  const [error, setError] = useState<string | null>(null);
  const [shown, setShown] = useState(fromAddress);
  if (shown.invitedFrom !== fromAddress.invitedFrom || shown.invitedTo !== fromAddress.invitedTo) {
    setShown(fromAddress);
    setDates(fromAddress);
    setError(null);
  }

  const change = (name: 'invitedFrom' | 'invitedTo', value: string) => {
    const next = { ...dates, [name]: value };
    setDates(next);
    if (value !== '' && !isDate(value)) return;
    if (isDate(next.invitedFrom) && isDate(next.invitedTo) && next.invitedFrom > next.invitedTo) {
      setError('The end date must be on or after the start date.');
      return;
    }
    setError(null);
    onChange({ [name]: value === '' ? undefined : value });
  };

  return (
    <>
      <TextInput
        label={labels.from}
        type="date"
        size="small"
        value={dates.invitedFrom}
        onChange={(event) => change('invitedFrom', event.target.value)}
        slotProps={{ inputLabel: { shrink: true } }}
      />
      <TextInput
        label={labels.to}
        type="date"
        size="small"
        value={dates.invitedTo}
        error={error !== null}
        helperText={error ?? undefined}
        onChange={(event) => change('invitedTo', event.target.value)}
        slotProps={{ inputLabel: { shrink: true } }}
      />
    </>
  );
}

/** A set of checkboxes for a multi-choice filter (statuses, states), kept as `a,b` in the address. */
export function CheckboxFilter<T extends string>({
  legend,
  name,
  options,
  labels,
  chosen,
  onChange,
}: {
  legend: string;
  name: string;
  options: readonly T[];
  labels: Readonly<Record<T, string>>;
  chosen: readonly T[];
  onChange: OnFilterChange;
}) {
  const toggle = (option: T, on: boolean) => {
    const next = options.filter((o) => (o === option ? on : chosen.includes(o)));
    onChange({ [name]: next.length === 0 ? undefined : next.join(',') });
  };
  return (
    <FormControl component="fieldset" variant="standard">
      <FormLabel component="legend" sx={{ color: 'text.primary', fontWeight: 600 }}>
        {legend}
      </FormLabel>
      <FormGroup row>
        {options.map((option) => (
          <FormControlLabel
            key={option}
            label={labels[option]}
            control={
              <Checkbox
                checked={chosen.includes(option)}
                onChange={(event) => toggle(option, event.target.checked)}
              />
            }
          />
        ))}
      </FormGroup>
    </FormControl>
  );
}

/** The grid the filter fields sit in: one column on a phone, up to four on a wide screen. */
export const FILTER_GRID = {
  display: 'grid',
  gap: 2,
  gridTemplateColumns: {
    xs: 'minmax(0, 1fr)',
    sm: 'repeat(2, minmax(0, 1fr))',
    md: 'repeat(4, minmax(0, 1fr))',
  },
} as const;

/**
 * The frame of a directory list's filters: a search landmark holding the one search box, the list's own filters, and
 * Clear filters while any is set.
 */
export function FilterPanel({
  name,
  searchLabel,
  q,
  filtered,
  onChange,
  onClear,
  children,
}: {
  /** The search landmark's name: "Find people". */
  name: string;
  searchLabel: string;
  q: string | undefined;
  filtered: boolean;
  onChange: OnFilterChange;
  onClear: () => void;
  children: ReactNode;
}) {
  return (
    <Paper variant="outlined" sx={{ p: 2 }}>
      <Box
        component="form"
        role="search"
        aria-label={name}
        noValidate
        onSubmit={(event) => event.preventDefault()}
      >
        <Stack spacing={2}>
          <SearchBox
            label={searchLabel}
            value={q}
            helperText="Any part of a name (either order), e-mail, phone, userId or invitationId."
            onChange={onChange}
          />
          {children}
          {filtered ? (
            <Box>
              <Button type="button" onClick={onClear}>
                Clear filters
              </Button>
            </Box>
          ) : null}
        </Stack>
      </Box>
    </Paper>
  );
}
