import { useState } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import FormControl from '@mui/material/FormControl';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormGroup from '@mui/material/FormGroup';
import FormLabel from '@mui/material/FormLabel';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { INVITATION_STATUSES, ListInvitationsQuerySchema } from '../../../contract/invitations.ts';
import type { InvitationStatus, ListInvitationsQuery } from '../../../contract/invitations.ts';
import { SelectField } from '../../components/select-field.tsx';
import { TextInput } from '../../components/text-input.tsx';
import { readFilter } from '../../lib/list-url.ts';

export type InvitationFilters = Pick<
  ListInvitationsQuery,
  'status' | 'expired' | 'startDate' | 'endDate' | 'userId'
>;
export const INVITATION_FILTER_NAMES = ['status', 'expired', 'startDate', 'endDate', 'userId'] as const;

const FIELD = ListInvitationsQuerySchema.shape;

const STATUS_LABELS: Record<InvitationStatus, string> = {
  sent: 'Sent',
  accepted: 'Accepted',
  rejected: 'Rejected',
  revoked: 'Revoked',
};

/** The filters in the address (status as a comma list, like the API); values the contract refuses are ignored. */
export function readInvitationFilters(search: URLSearchParams): InvitationFilters {
  const startDate = readFilter(search, 'startDate', FIELD.startDate);
  const endDate = readFilter(search, 'endDate', FIELD.endDate);
  const ordered = startDate === undefined || endDate === undefined || startDate <= endDate;
  return {
    status: readFilter(search, 'status', FIELD.status),
    expired: readFilter(search, 'expired', FIELD.expired),
    startDate,
    endDate: ordered ? endDate : undefined,
    userId: readFilter(search, 'userId', FIELD.userId),
  };
}

export function hasInvitationFilters(filters: InvitationFilters): boolean {
  return INVITATION_FILTER_NAMES.some((name) => filters[name] !== undefined);
}

type FilterChanges = Partial<Record<keyof InvitationFilters, string | undefined>>;

const isDate = (value: string) => FIELD.startDate.safeParse(value).success;

/**
 * Status (any number at once), expiry and the date range the invitations were created in. Each applies as soon as
 * it is chosen; a date applies once it is a whole, real date, and a range that ends before it starts is explained.
 */
export function InvitationsFilters({
  filters,
  onChange,
  onClear,
}: {
  filters: InvitationFilters;
  onChange: (changes: FilterChanges) => void;
  onClear: () => void;
}) {
  const fromAddress = { startDate: filters.startDate ?? '', endDate: filters.endDate ?? '' };
  const [dates, setDates] = useState(fromAddress);
  const [dateError, setDateError] = useState<string | null>(null);
  // The address changed under the form (Back, Clear filters): show its dates. Adjusted while rendering rather than
  // by remounting, so the keyboard focus stays where it is.
  const [shown, setShown] = useState(fromAddress);
  if (shown.startDate !== fromAddress.startDate || shown.endDate !== fromAddress.endDate) {
    setShown(fromAddress);
    setDates(fromAddress);
    setDateError(null);
  }
  const statuses = filters.status ?? [];

  const toggleStatus = (status: InvitationStatus, on: boolean) => {
    const next = INVITATION_STATUSES.filter((s) => (s === status ? on : statuses.includes(s)));
    onChange({ status: next.length === 0 ? undefined : next.join(',') });
  };

  const changeDate = (name: 'startDate' | 'endDate', value: string) => {
    const next = { ...dates, [name]: value };
    setDates(next);
    if (value !== '' && !isDate(value)) return;
    if (next.startDate !== '' && next.endDate !== '' && isDate(next.startDate) && isDate(next.endDate)) {
      if (next.startDate > next.endDate) {
        setDateError('The end date must be on or after the start date.');
        return;
      }
    }
    setDateError(null);
    onChange({ [name]: value === '' ? undefined : value });
  };

  return (
    <Paper variant="outlined" sx={{ p: 2 }}>
      <Box
        component="form"
        role="search"
        aria-label="Filter invitations"
        noValidate
        onSubmit={(event) => event.preventDefault()}
      >
        <Stack spacing={2}>
          <FormControl component="fieldset" variant="standard">
            <FormLabel component="legend" sx={{ color: 'text.primary', fontWeight: 600 }}>
              Status
            </FormLabel>
            <FormGroup row>
              {INVITATION_STATUSES.map((status) => (
                <FormControlLabel
                  key={status}
                  label={STATUS_LABELS[status]}
                  control={
                    <Checkbox
                      checked={statuses.includes(status)}
                      onChange={(event) => toggleStatus(status, event.target.checked)}
                    />
                  }
                />
              ))}
            </FormGroup>
          </FormControl>
          <Box
            sx={{
              display: 'grid',
              gap: 2,
              gridTemplateColumns: { xs: 'minmax(0, 1fr)', sm: 'repeat(3, minmax(0, 1fr))' },
            }}
          >
            <SelectField
              label="Expiry"
              value={filters.expired ?? ''}
              options={[
                { value: '', label: 'Expired or not' },
                { value: 'expired', label: 'Expired only' },
                { value: 'not-expired', label: 'Not expired' },
              ]}
              onChange={(value) => onChange({ expired: value === '' || value === 'all' ? undefined : value })}
            />
            <TextInput
              label="Created from"
              type="date"
              size="small"
              value={dates.startDate}
              onChange={(event) => changeDate('startDate', event.target.value)}
              slotProps={{ inputLabel: { shrink: true } }}
            />
            <TextInput
              label="Created until"
              type="date"
              size="small"
              value={dates.endDate}
              error={dateError !== null}
              helperText={dateError ?? undefined}
              onChange={(event) => changeDate('endDate', event.target.value)}
              slotProps={{ inputLabel: { shrink: true } }}
            />
          </Box>
          {filters.userId ? (
            <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap', rowGap: 1 }}>
              <Typography variant="body2" sx={{ overflowWrap: 'anywhere', minWidth: 0 }}>
                Only the invitations of <code>{filters.userId}</code>
              </Typography>
              <Button type="button" size="small" onClick={() => onChange({ userId: undefined })}>
                Show everyone’s
              </Button>
            </Stack>
          ) : null}
          {hasInvitationFilters(filters) ? (
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
