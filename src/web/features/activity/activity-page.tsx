import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { ChangeEvent } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { RequestIdNote, requestIdOf } from '../../components/request-id.tsx';
import {
  AUDIT_ACTIONS,
  AUDIT_ACTION_LABELS,
  AuditActionSchema,
  AuditDateSchema,
} from '../../../contract/audit.ts';
import type { AuditRecord } from '../../../contract/audit.ts';
import { UserIdSchema } from '../../../contract/ids.ts';
import { OperatorIdSchema } from '../../../contract/session.ts';
import { SelectField } from '../../components/select-field.tsx';
import { TextInput } from '../../components/text-input.tsx';
import { ScreenHeading } from '../../components/screen-heading.tsx';
import { ApiError } from '../../lib/api-client.ts';
import { useDocumentTitle } from '../../lib/document-title.ts';
import { useSearchParams } from '../../lib/routing.tsx';
import { displayName } from '../person/person-format.ts';
import { useOperators, userQueryOptions } from '../person/queries.ts';
import { ActivityRows } from './activity-rows.tsx';
import { downloadActivityCsv, useActivity } from './api.ts';
import type { ActivityFilters } from './api.ts';

/** Filters live in the address, so a filtered view can be bookmarked or shared; invalid values are ignored. */
function filtersFrom(search: URLSearchParams): ActivityFilters {
  const valid = <T,>(parse: (v: unknown) => { success: boolean; data?: T }, name: string): T | undefined => {
    const raw = search.get(name);
    if (raw === null || raw === '') return undefined;
    const result = parse(raw);
    return result.success ? result.data : undefined;
  };
  return {
    userId: valid((v) => UserIdSchema.safeParse(v), 'userId'),
    operatorId: valid((v) => OperatorIdSchema.safeParse(v), 'operatorId'),
    action: valid((v) => AuditActionSchema.safeParse(v), 'action'),
    from: valid((v) => AuditDateSchema.safeParse(v), 'from'),
    to: valid((v) => AuditDateSchema.safeParse(v), 'to'),
  };
}

/**
 * The person the trail is filtered to, as a chip with their name that removes the filter (Enter, Space, Delete or
 * Backspace, or a click). Their name as Avara has it now, else as the records name them, else their userId.
 */
function PersonFilterChip({
  userId,
  records,
  onRemove,
}: {
  userId: string;
  records: readonly AuditRecord[];
  onRemove: () => void;
}) {
  const person = useQuery({ ...userQueryOptions(userId), retry: false });
  const name =
    (person.data ? displayName(person.data) : undefined) ??
    records.find((record) => record.targetUserId === userId && record.targetName !== null)?.targetName ??
    userId;
  return (
    <Stack direction="row" spacing={1} sx={{ mt: 2, alignItems: 'center', flexWrap: 'wrap', rowGap: 1 }}>
      <Typography variant="body2" component="span">
        Showing the activity about
      </Typography>
      <Chip
        label={`Person: ${name}`}
        onClick={onRemove}
        onDelete={onRemove}
        aria-label={`Person: ${name}. Remove this filter`}
        sx={{ maxWidth: '100%' }}
      />
    </Stack>
  );
}

/** The audit trail: who did what, to whom, when, and how it went. Newest first. */
export function ActivityPage() {
  useDocumentTitle('Activity');
  const [search, setSearch] = useSearchParams();
  const filters = filtersFrom(search);
  const activity = useActivity(filters);
  const operators = useOperators();
  const [exportError, setExportError] = useState<{ text: string; requestId: string | undefined } | null>(
    null,
  );
  const [exporting, setExporting] = useState(false);

  const setFilter = (name: keyof ActivityFilters) => (value: string) => {
    const next = new URLSearchParams(search);
    if (value === '') next.delete(name);
    else next.set(name, value);
    setSearch(next, { replace: true });
  };

  const exportCsv = async () => {
    setExportError(null);
    setExporting(true);
    try {
      await downloadActivityCsv(filters);
    } catch (error) {
      setExportError({
        text: error instanceof ApiError ? error.problem.title : 'The export did not work. Try again.',
        requestId: requestIdOf(error),
      });
    } finally {
      setExporting(false);
    }
  };

  const records = activity.data?.pages.flatMap((page) => page.records) ?? [];

  return (
    <Stack spacing={3}>
      <ScreenHeading title="Activity">
        Every invitation, change, sign-in and operator change, newest first.
      </ScreenHeading>

      <Paper variant="outlined" sx={{ p: 2 }}>
        <Box
          component="form"
          role="search"
          aria-label="Filter activity"
          onSubmit={(event) => event.preventDefault()}
          sx={{
            display: 'grid',
            gap: 2,
            gridTemplateColumns: { xs: '1fr', sm: '1fr 1fr', md: 'repeat(4, 1fr)' },
          }}
        >
          <SelectField
            label="Operator"
            value={filters.operatorId ?? ''}
            onChange={setFilter('operatorId')}
            options={[
              { value: '', label: 'Everyone' },
              ...(operators.data?.operators ?? []).map((operator) => ({
                value: operator.id,
                label: `${operator.displayName} (${operator.email})`,
              })),
            ]}
          />
          <SelectField
            label="Action"
            value={filters.action ?? ''}
            onChange={setFilter('action')}
            options={[
              { value: '', label: 'Any action' },
              ...AUDIT_ACTIONS.map((action) => ({ value: action, label: AUDIT_ACTION_LABELS[action] })),
            ]}
          />
          <TextInput
            label="From"
            type="date"
            value={filters.from ?? ''}
            onChange={(event: ChangeEvent<HTMLInputElement>) => setFilter('from')(event.target.value)}
            size="small"
            slotProps={{ inputLabel: { shrink: true } }}
          />
          <TextInput
            label="To"
            type="date"
            value={filters.to ?? ''}
            onChange={(event: ChangeEvent<HTMLInputElement>) => setFilter('to')(event.target.value)}
            size="small"
            slotProps={{ inputLabel: { shrink: true } }}
          />
        </Box>
        {filters.userId !== undefined ? (
          <PersonFilterChip
            userId={filters.userId}
            records={records}
            onRemove={() => setFilter('userId')('')}
          />
        ) : null}
        <Stack direction="row" spacing={2} sx={{ mt: 2, alignItems: 'center', flexWrap: 'wrap' }}>
          <Button variant="outlined" onClick={() => void exportCsv()} disabled={exporting}>
            {exporting ? 'Exporting…' : 'Export as CSV'}
          </Button>
          {search.toString() !== '' ? (
            <Button onClick={() => setSearch(new URLSearchParams(), { replace: true })}>Clear filters</Button>
          ) : null}
        </Stack>
        {exportError ? (
          <Alert severity="error" role="alert" sx={{ mt: 2 }}>
            {exportError.text}
            <RequestIdNote requestId={exportError.requestId} />
          </Alert>
        ) : null}
      </Paper>

      {activity.isPending ? <Typography role="status">Loading activity…</Typography> : null}
      {activity.isError ? (
        <Alert
          severity="error"
          action={
            <Button color="inherit" size="small" onClick={() => void activity.refetch()}>
              Retry
            </Button>
          }
        >
          {activity.error.problem.detail ?? activity.error.problem.title}
          <RequestIdNote requestId={activity.error.requestId} />
        </Alert>
      ) : null}
      {activity.isSuccess && records.length === 0 ? (
        <Typography>Nothing recorded matches these filters.</Typography>
      ) : null}
      {records.length > 0 ? <ActivityRows records={records} /> : null}
      {activity.hasNextPage ? (
        <Box>
          <Button
            variant="outlined"
            onClick={() => void activity.fetchNextPage()}
            disabled={activity.isFetchingNextPage}
          >
            {activity.isFetchingNextPage ? 'Loading…' : 'Show older activity'}
          </Button>
        </Box>
      ) : null}
    </Stack>
  );
}
