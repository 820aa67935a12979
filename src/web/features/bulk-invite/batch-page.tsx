import { useCallback, useMemo, useRef, useState } from 'react';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import MuiLink from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { BatchIdSchema } from '../../../contract/bulk.ts';
import type { BulkBatch, BulkRow } from '../../../contract/bulk.ts';
import type { InviteUser } from '../../../contract/users.ts';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { CheckIcon, CopyIcon } from '../../components/icons.tsx';
import { EmptyState, ErrorState, ListSkeleton, problemSentence } from '../../components/list-states.tsx';
import { ScreenHeading } from '../../components/screen-heading.tsx';
import { ApiError } from '../../lib/api-client.ts';
import { formatDateTime } from '../../lib/dates.ts';
import { useDocumentTitle } from '../../lib/document-title.ts';
import { downloadText } from '../../lib/download.ts';
import { Link, useParams } from '../../lib/routing.tsx';
import { useCopy } from '../../lib/use-copy.ts';
import { isSending, useCancelBatch, useRetryRow } from './batch-api.ts';
import { BatchProgress } from './batch-progress.tsx';
import { resultsCsv, resultsFileName, sentRowsTsv } from './batch-results.ts';
import { RetryRowDialog } from './batch-retry-dialog.tsx';
import { BatchRows } from './batch-rows.tsx';
import { RecentBatches } from './recent-batches.tsx';
import { useBatch } from './use-batch.ts';

/** /invite-many/:batchId: a sent batch, live while it runs, and its results. */
export function BatchPage() {
  useDocumentTitle('Batch of invitations');
  const { batchId = '' } = useParams();
  const valid = BatchIdSchema.safeParse(batchId).success;
  return (
    <Stack spacing={3}>
      <ScreenHeading title="Batch of invitations" />
      {valid ? (
        <BatchView key={batchId} batchId={batchId} />
      ) : (
        <EmptyState
          title="This is not the address of a batch."
          action={
            <MuiLink component={Link} to="/invite-many">
              Invite many people
            </MuiLink>
          }
        >
          A batch address ends in bat_ and 32 letters and digits. Check the link, or find the batch under
          Recent batches.
        </EmptyState>
      )}
      <RecentBatches current={valid ? batchId : undefined} />
    </Stack>
  );
}

type RetryableRow = BulkRow & { invite: InviteUser };

function BatchView({ batchId }: { batchId: string }) {
  const { query, pollError, samples, refresh } = useBatch(batchId);
  const [retrying, setRetrying] = useState<RetryableRow | null>(null);
  const afterChange = useCallback(() => void refresh().catch(() => undefined), [refresh]);
  // Stable, so a poll re-renders only the rows that changed.
  const chooseRetry = useCallback((row: BulkRow) => {
    if (row.invite !== null) setRetrying({ ...row, invite: row.invite });
  }, []);

  if (query.isPending) return <ListSkeleton label="Loading the batch…" />;
  if (query.isError) {
    if (query.error.status === 404) {
      return (
        <EmptyState
          title="There is no batch at this address."
          action={
            <MuiLink component={Link} to="/invite-many">
              Invite many people
            </MuiLink>
          }
        >
          It may have been made on another server, or the link is incomplete.
        </EmptyState>
      );
    }
    return (
      <ErrorState
        title="The batch could not be loaded."
        error={query.error}
        onRetry={() => void query.refetch()}
        retrying={query.isFetching}
      />
    );
  }
  const batch = query.data;
  return (
    <Stack spacing={3}>
      <Typography color="text.secondary">
        Started by {batch.createdBy.displayName} on {formatDateTime(batch.createdAt)}
        {batch.finishedAt === null ? '' : `, ended ${formatDateTime(batch.finishedAt)}`}. The batch is sent by
        the dashboard server: you can leave this page, and come back to this address to see how it went.
      </Typography>
      <BatchProgress batch={batch} samples={samples} />
      {pollError === null ? null : (
        <Alert severity="warning" role="status">
          Could not get the latest progress. {problemSentence(pollError)} Trying again; the batch carries on
          regardless.
        </Alert>
      )}
      <BatchActions batch={batch} onChanged={afterChange} />
      <BatchRows rows={batch.rows} onRetry={batch.state === 'cancelled' ? undefined : chooseRetry} />
      {retrying === null ? null : (
        <RetryRow
          batchId={batchId}
          row={retrying}
          onClose={(sent) => {
            setRetrying(null);
            if (sent) afterChange();
          }}
        />
      )}
    </Stack>
  );
}

function RetryRow({
  batchId,
  row,
  onClose,
}: {
  batchId: string;
  row: RetryableRow;
  onClose: (sent: boolean) => void;
}) {
  const retry = useRetryRow(batchId);
  return (
    <RetryRowDialog
      row={row}
      retry={(invite) => retry.mutateAsync({ index: row.index, invite })}
      onDone={() => onClose(true)}
      onCancel={() => onClose(false)}
    />
  );
}

const COPY_MESSAGES = {
  idle: '',
  copied: 'Copied: one line per person sent, email and userId separated by a tab.',
  failed: 'Could not copy. Download the results file instead.',
} as const;

/** Cancel while rows are still to come; the userIds as TSV and the results file at any time. */
function BatchActions({ batch, onChanged }: { batch: BulkBatch; onChanged: () => void }) {
  const tsv = useMemo(() => sentRowsTsv(batch), [batch]);
  const { state: copyState, copy } = useCopy(tsv);
  const cancel = useCancelBatch(batch.batchId);
  const [confirming, setConfirming] = useState(false);
  const [cancelError, setCancelError] = useState<string | null>(null);
  const download = useRef<HTMLButtonElement>(null);
  const live = isSending(batch.state);
  const waiting = batch.counts.waiting + batch.counts.sending;

  const confirmCancel = async () => {
    setCancelError(null);
    try {
      await cancel.mutateAsync();
      setConfirming(false);
      onChanged();
      // The Cancel button goes away: the keyboard goes on to what remains to do.
      requestAnimationFrame(() => download.current?.focus());
    } catch (error) {
      setCancelError(error instanceof ApiError ? problemSentence(error) : 'Something went wrong. Try again.');
    }
  };

  return (
    <Stack spacing={1}>
      <Stack direction="row" sx={{ flexWrap: 'wrap', gap: 1 }}>
        <Button
          variant="outlined"
          onClick={() => void copy()}
          disabled={batch.counts.sent === 0}
          startIcon={copyState === 'copied' ? <CheckIcon /> : <CopyIcon />}
        >
          {copyState === 'copied' ? 'Copied as TSV' : 'Copy as TSV'}
        </Button>
        <Button
          ref={download}
          variant="outlined"
          onClick={() => downloadText(resultsFileName(batch.batchId), resultsCsv(batch))}
        >
          Download results CSV
        </Button>
        {live ? (
          <Button color="error" variant="outlined" onClick={() => setConfirming(true)}>
            Cancel the rest
          </Button>
        ) : null}
      </Stack>
      <Typography
        role="status"
        aria-live="polite"
        aria-atomic="true"
        variant="body2"
        sx={{ color: copyState === 'failed' ? 'error.main' : 'text.secondary' }}
      >
        {COPY_MESSAGES[copyState]}
      </Typography>
      <ConfirmDialog
        open={confirming}
        title="Stop sending the rest of this batch?"
        confirmLabel="Stop sending"
        destructive
        busy={cancel.isPending}
        error={cancelError}
        onConfirm={() => void confirmCancel()}
        onCancel={() => {
          setConfirming(false);
          setCancelError(null);
        }}
      >
        The {waiting} row{waiting === 1 ? '' : 's'} not sent yet will not be sent. Everyone already invited
        stays invited; a row on its way to Avara right now finishes.
      </ConfirmDialog>
    </Stack>
  );
}
