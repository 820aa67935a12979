import { useQuery } from '@tanstack/react-query';
import Chip from '@mui/material/Chip';
import MuiLink from '@mui/material/Link';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { BatchState, BulkBatchSummary } from '../../../contract/bulk.ts';
import { ErrorState, ListSkeleton } from '../../components/list-states.tsx';
import { formatDateTime } from '../../lib/dates.ts';
import { Link } from '../../lib/routing.tsx';
import { recentBatchesQueryOptions } from './batch-api.ts';

export const batchPath = (batchId: string) => `/invite-many/${batchId}`;

export const BATCH_STATE_LOOK: Record<
  BatchState,
  { label: string; color: 'default' | 'info' | 'success' | 'warning' }
> = {
  running: { label: 'Sending', color: 'info' },
  paused: { label: 'Paused', color: 'warning' },
  cancelled: { label: 'Cancelled', color: 'default' },
  finished: { label: 'Finished', color: 'success' },
};

function countsText({ counts }: BulkBatchSummary): string {
  const parts = [`${counts.sent} sent`, `${counts.failed} failed`, `${counts.skipped} skipped`];
  const waiting = counts.waiting + counts.sending;
  if (waiting > 0) parts.push(`${waiting} waiting`);
  if (counts.cancelled > 0) parts.push(`${counts.cancelled} not sent`);
  return parts.join(' · ');
}

/**
 * The most recent batches, newest first: when each started and who ran it, its counts and state, and a link to it
 * (a batch goes on in the BFF, so an admin can always come back to it). For the Invite many screen and a batch's own.
 */
export function RecentBatches({ current }: { /** The batch on screen, marked as such. */ current?: string }) {
  const query = useQuery(recentBatchesQueryOptions());
  return (
    <Stack component="section" spacing={1.5} aria-labelledby="recent-batches-heading">
      <Typography id="recent-batches-heading" variant="h2">
        Recent batches
      </Typography>
      {query.isPending ? <ListSkeleton label="Loading the recent batches…" rows={3} /> : null}
      {query.isError ? (
        <ErrorState
          title="The recent batches could not be loaded."
          error={query.error}
          onRetry={() => void query.refetch()}
          retrying={query.isFetching}
        />
      ) : null}
      {query.data?.batches.length === 0 ? (
        <Typography color="text.secondary">No batch has been sent yet.</Typography>
      ) : null}
      {query.data && query.data.batches.length > 0 ? (
        <Stack component="ul" spacing={1} sx={{ listStyle: 'none', m: 0, p: 0 }}>
          {query.data.batches.map((batch) => (
            <Paper
              component="li"
              key={batch.batchId}
              variant="outlined"
              sx={{ p: 1.5, minWidth: 0, overflowWrap: 'anywhere' }}
            >
              <Stack
                direction="row"
                sx={{ columnGap: 1.5, rowGap: 0.5, flexWrap: 'wrap', alignItems: 'baseline' }}
              >
                <MuiLink
                  component={Link}
                  to={batchPath(batch.batchId)}
                  aria-current={batch.batchId === current ? 'page' : undefined}
                  sx={{ fontWeight: 600 }}
                >
                  {batch.total} row{batch.total === 1 ? '' : 's'}, {formatDateTime(batch.createdAt)}
                </MuiLink>
                <Chip
                  size="small"
                  variant="outlined"
                  label={BATCH_STATE_LOOK[batch.state].label}
                  color={BATCH_STATE_LOOK[batch.state].color}
                />
                {batch.batchId === current ? (
                  <Typography variant="body2" color="text.secondary">
                    (shown above)
                  </Typography>
                ) : null}
              </Stack>
              <Typography variant="body2" color="text.secondary">
                By {batch.createdBy.displayName} ({batch.createdBy.email}) · {countsText(batch)}
              </Typography>
            </Paper>
          ))}
        </Stack>
      ) : null}
    </Stack>
  );
}
