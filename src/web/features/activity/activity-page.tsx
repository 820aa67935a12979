import { useState } from 'react';
import type { ChangeEvent } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { RequestIdNote, requestIdOf } from '../../components/request-id.tsx';
import {
  AUDIT_ACTIONS,
  AUDIT_ACTION_LABELS,
  AuditActionSchema,
  AuditDateSchema,
} from '../../../contract/audit.ts';
import type { AuditRecord } from '../../../contract/audit.ts';
import { OperatorIdSchema } from '../../../contract/session.ts';
import { CopyIdButton } from '../../components/copy-id-button.tsx';
import { SelectField } from '../../components/select-field.tsx';
import { TextInput } from '../../components/text-input.tsx';
import { ScreenHeading } from '../../components/screen-heading.tsx';
import { ApiError } from '../../lib/api-client.ts';
import { useDocumentTitle } from '../../lib/document-title.ts';
import { formatDateTime } from '../../lib/dates.ts';
import { useSearchParams } from '../../lib/routing.tsx';
import { useOperators } from '../person/queries.ts';
import { downloadActivityCsv, useActivity } from './api.ts';
import type { ActivityFilters } from './api.ts';

const OUTCOME_LOOK: Record<string, { label: string; color: 'success' | 'error' | 'warning' | 'default' }> = {
  success: { label: 'Done', color: 'success' },
  failure: { label: 'Failed', color: 'error' },
  refused: { label: 'Refused', color: 'warning' },
  pending: { label: 'Unknown (no answer recorded)', color: 'default' },
};

/** Filters live in the address, so a filtered view can be bookmarked or shared; invalid values are ignored. */
function filtersFrom(search: URLSearchParams): ActivityFilters {
  const valid = <T,>(parse: (v: unknown) => { success: boolean; data?: T }, name: string): T | undefined => {
    const raw = search.get(name);
    if (raw === null || raw === '') return undefined;
    const result = parse(raw);
    return result.success ? result.data : undefined;
  };
  return {
    operatorId: valid((v) => OperatorIdSchema.safeParse(v), 'operatorId'),
    action: valid((v) => AuditActionSchema.safeParse(v), 'action'),
    from: valid((v) => AuditDateSchema.safeParse(v), 'from'),
    to: valid((v) => AuditDateSchema.safeParse(v), 'to'),
  };
}

function actionLabel(action: string): string {
  const parsed = AuditActionSchema.safeParse(action);
  return parsed.success ? AUDIT_ACTION_LABELS[parsed.data] : action;
}

function Target({ record }: { record: AuditRecord }) {
  return (
    <Stack spacing={0.75}>
      {record.targetEmail ? <Typography variant="body2">{record.targetEmail}</Typography> : null}
      {record.targetUserId ? (
        <Stack spacing={0.5}>
          <Typography variant="body2" sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>
            {record.targetUserId}
          </Typography>
          <CopyIdButton value={record.targetUserId} label="userId" />
        </Stack>
      ) : null}
      {record.targetInvitationId ? (
        <Stack spacing={0.5}>
          <Typography variant="body2" sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>
            {record.targetInvitationId}
          </Typography>
          <CopyIdButton value={record.targetInvitationId} label="invitationId" />
        </Stack>
      ) : null}
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
      {records.length > 0 ? (
        <TableContainer component={Paper} variant="outlined">
          <Table size="small" aria-label="Activity, newest first">
            <TableHead>
              <TableRow>
                <TableCell scope="col">When</TableCell>
                <TableCell scope="col">Operator</TableCell>
                <TableCell scope="col">Action</TableCell>
                <TableCell scope="col">About</TableCell>
                <TableCell scope="col">Outcome</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {records.map((record) => {
                const look = OUTCOME_LOOK[record.outcome] ?? {
                  label: record.outcome,
                  color: 'default' as const,
                };
                return (
                  <TableRow key={record.id}>
                    <TableCell sx={{ whiteSpace: 'nowrap' }}>
                      <time dateTime={record.at}>{formatDateTime(record.at)}</time>
                    </TableCell>
                    <TableCell sx={{ wordBreak: 'break-all' }}>
                      {record.operatorEmail ?? 'Command line'}
                    </TableCell>
                    <TableCell>{actionLabel(record.action)}</TableCell>
                    <TableCell>
                      <Target record={record} />
                    </TableCell>
                    <TableCell>
                      <Stack spacing={0.5} sx={{ alignItems: 'flex-start' }}>
                        <Chip size="small" variant="outlined" label={look.label} color={look.color} />
                        {record.upstreamStatus !== null ? (
                          <Typography variant="caption">Avara answered {record.upstreamStatus}</Typography>
                        ) : null}
                        {record.detail ? <Typography variant="caption">{record.detail}</Typography> : null}
                      </Stack>
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </TableContainer>
      ) : null}
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
