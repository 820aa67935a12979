import { useId, useState } from 'react';
import type { ReactNode } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Link from '@mui/material/Link';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { AUDIT_ACTION_LABELS, AuditActionSchema, changeText } from '../../../contract/audit.ts';
import type { AuditRecord } from '../../../contract/audit.ts';
import { outcomeText } from '../../../contract/audit-outcome.ts';
import type { OutcomeTone } from '../../../contract/audit-outcome.ts';
import { useNarrowScreen } from '../../components/data-table.tsx';
import { MONOSPACE } from '../../components/id-copy.tsx';
import { IdCell, TruncatedText } from '../../components/truncated-text.tsx';
import { formatDateTime } from '../../lib/dates.ts';
import { Link as RouterLink } from '../../lib/routing.tsx';

export const ACTIVITY_TABLE_LABEL = 'Activity, newest first';

function actionLabel(action: string): string {
  const parsed = AuditActionSchema.safeParse(action);
  return parsed.success ? AUDIT_ACTION_LABELS[parsed.data] : action;
}

const TONE_COLOR: Record<OutcomeTone, string> = {
  success: 'success.main',
  warning: 'warning.main',
  error: 'error.main',
  unknown: 'text.secondary',
};

/** Who the record is about: their name linking to their details, their e-mail and ids. */
function Person({ record }: { record: AuditRecord }) {
  const of = record.targetName ?? record.targetEmail ?? 'this record';
  return (
    <Stack spacing={0.5} sx={{ minWidth: 0 }}>
      {record.targetUserId !== null ? (
        <Link component={RouterLink} to={`/users/${record.targetUserId}`} sx={{ fontWeight: 500 }}>
          {record.targetName ?? 'Open their details'}
        </Link>
      ) : record.targetName !== null ? (
        <Typography variant="body2" sx={{ fontWeight: 500 }}>
          {record.targetName}
        </Typography>
      ) : null}
      {record.targetEmail !== null ? (
        <Typography variant="body2" component="div" sx={{ minWidth: 0 }}>
          <TruncatedText value={record.targetEmail} />
        </Typography>
      ) : null}
      {record.targetUserId !== null ? <IdCell value={record.targetUserId} label="userId" of={of} /> : null}
      {record.targetInvitationId !== null ? (
        <IdCell value={record.targetInvitationId} label="invitationId" of={of} />
      ) : null}
    </Stack>
  );
}

/** The action, and for an edit what it changed. */
function Action({ record }: { record: AuditRecord }) {
  return (
    <Stack spacing={0.25}>
      <Typography variant="body2">{actionLabel(record.action)}</Typography>
      {record.changes.length > 0 ? (
        <Box component="ul" aria-label="What changed" sx={{ m: 0, pl: 2 }}>
          {record.changes.map((change) => (
            <Typography component="li" variant="body2" key={change.field} sx={{ color: 'text.secondary' }}>
              {changeText(change)}
            </Typography>
          ))}
        </Box>
      ) : null}
    </Stack>
  );
}

/** How it went, for an administrator; the technical facts (HTTP status, detail, request id) one click away. */
function Outcome({ record }: { record: AuditRecord }) {
  const [open, setOpen] = useState(false);
  const panel = useId();
  const outcome = outcomeText(record);
  const succeeded = outcome.tone === 'success';
  return (
    <Stack spacing={0.25} sx={{ alignItems: 'flex-start', minWidth: 0 }}>
      <Typography variant="body2" sx={{ color: TONE_COLOR[outcome.tone], fontWeight: 500 }}>
        {outcome.text}
      </Typography>
      {/* A success's detail is a summary (a batch's counts), not a technical fact. */}
      {succeeded && record.detail !== null ? <Typography variant="body2">{record.detail}</Typography> : null}
      <Button
        size="small"
        variant="text"
        aria-expanded={open}
        aria-controls={panel}
        onClick={() => setOpen((value) => !value)}
        sx={{ px: 0.5, minWidth: 0 }}
      >
        {open ? 'Hide technical detail' : 'Technical detail'}
      </Button>
      <Box id={panel} hidden={!open} sx={{ minWidth: 0 }}>
        <Typography variant="body2">
          {record.upstreamStatus === null
            ? 'No answer from Avara recorded'
            : `Avara answered HTTP ${record.upstreamStatus}`}
        </Typography>
        {!succeeded && record.detail !== null ? (
          <Typography variant="body2" sx={{ overflowWrap: 'anywhere' }}>
            {record.detail}
          </Typography>
        ) : null}
        {record.clientAddress !== null ? (
          <Typography variant="body2">From address {record.clientAddress}</Typography>
        ) : null}
        {record.requestId !== null ? (
          <Typography variant="body2">
            Request id:{' '}
            <Box component="code" sx={{ fontFamily: MONOSPACE, overflowWrap: 'anywhere', userSelect: 'all' }}>
              {record.requestId}
            </Box>
          </Typography>
        ) : null}
      </Box>
    </Stack>
  );
}

function When({ record }: { record: AuditRecord }) {
  return <time dateTime={record.at}>{formatDateTime(record.at)}</time>;
}

function Operator({ record }: { record: AuditRecord }) {
  return record.operatorEmail === null ? 'Command line' : <TruncatedText value={record.operatorEmail} />;
}

const COLUMNS: readonly { header: string; render: (record: AuditRecord) => ReactNode; nowrap?: boolean }[] = [
  { header: 'When', render: (r) => <When record={r} />, nowrap: true },
  { header: 'Operator', render: (r) => <Operator record={r} /> },
  { header: 'Action', render: (r) => <Action record={r} /> },
  { header: 'Person', render: (r) => <Person record={r} /> },
  { header: 'Outcome', render: (r) => <Outcome record={r} /> },
];

/**
 * The trail: a table on a wide screen (the whole width), a list of cards below 900 px like the other lists, each
 * card the same facts with the headers as labels.
 */
export function ActivityRows({ records }: { records: readonly AuditRecord[] }) {
  const narrow = useNarrowScreen();
  if (narrow) {
    return (
      <Stack
        component="ul"
        aria-label={ACTIVITY_TABLE_LABEL}
        spacing={1.5}
        sx={{ listStyle: 'none', m: 0, p: 0 }}
      >
        {records.map((record) => (
          <Paper component="li" key={record.id} variant="outlined" sx={{ p: 1.5, minWidth: 0 }}>
            <Box
              component="dl"
              sx={{
                display: 'grid',
                gridTemplateColumns: 'minmax(0, 2fr) minmax(0, 5fr)',
                columnGap: 1.5,
                rowGap: 0.75,
                m: 0,
                '& dt': { color: 'text.secondary', typography: 'body2' },
                '& dd': { m: 0, typography: 'body2', minWidth: 0 },
              }}
            >
              {COLUMNS.map((column) => (
                <Box key={column.header} sx={{ display: 'contents' }}>
                  <dt>{column.header}</dt>
                  <dd>{column.render(record)}</dd>
                </Box>
              ))}
            </Box>
          </Paper>
        ))}
      </Stack>
    );
  }
  return (
    <TableContainer component={Paper} variant="outlined">
      <Table size="small" aria-label={ACTIVITY_TABLE_LABEL} sx={{ tableLayout: 'fixed' }}>
        <TableHead>
          <TableRow>
            {COLUMNS.map((column) => (
              <TableCell
                key={column.header}
                scope="col"
                sx={{ fontWeight: 600, width: column.header === 'When' ? '11rem' : undefined }}
              >
                {column.header}
              </TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {records.map((record) => (
            <TableRow key={record.id}>
              {COLUMNS.map((column) => (
                <TableCell
                  key={column.header}
                  sx={{ verticalAlign: 'top', whiteSpace: column.nowrap ? 'nowrap' : undefined, minWidth: 0 }}
                >
                  {column.render(record)}
                </TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
