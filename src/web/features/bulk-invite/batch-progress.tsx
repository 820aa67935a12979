import Box from '@mui/material/Box';
import LinearProgress from '@mui/material/LinearProgress';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { BulkBatch } from '../../../contract/bulk.ts';
import { batchProgress, estimateSecondsLeft, formatTimeLeft } from './batch-results.ts';
import type { ProgressSample } from './batch-results.ts';

const TIME = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

function clockTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : TIME.format(date);
}

/** Where the batch stands, in one sentence (announced when it changes: not on every row). */
export function batchStateSentence(batch: BulkBatch): string {
  const { sent, failed, skipped, cancelled } = batch.counts;
  switch (batch.state) {
    case 'finished':
      return `Finished: ${sent} sent, ${failed} failed, ${skipped} skipped.`;
    case 'cancelled':
      return `Cancelled: ${sent} sent, ${failed} failed, ${skipped} skipped, ${cancelled} not sent.`;
    case 'paused':
      return batch.pausedUntil === null
        ? 'Paused: Avara is not answering. Sending carries on by itself when it does.'
        : `Paused: Avara asked us to wait until ${clockTime(batch.pausedUntil)}. Sending carries on by itself.`;
    case 'running':
      return 'Sending…';
  }
}

/** A determinate bar, the counts of rows by outcome, and the time left or why the batch waits. */
export function BatchProgress({
  batch,
  samples,
}: {
  batch: BulkBatch;
  /** Rows done as this screen saw them, for the rate. */
  samples: readonly ProgressSample[];
}) {
  const { done, total, percent, waiting } = batchProgress(batch);
  const seconds = batch.state === 'running' ? estimateSecondsLeft(samples, waiting) : undefined;
  const counts: [string, number][] = [
    ['Sent', batch.counts.sent],
    ['Failed', batch.counts.failed],
    ['Skipped', batch.counts.skipped],
    ['Waiting', waiting],
  ];
  if (batch.counts.cancelled > 0) counts.push(['Not sent (cancelled)', batch.counts.cancelled]);

  return (
    <Stack spacing={1.5}>
      <Stack spacing={0.5}>
        <Typography variant="body2" aria-hidden="true">
          {done} of {total} rows done ({percent}%)
        </Typography>
        <LinearProgress
          variant="determinate"
          value={percent}
          aria-label="Batch progress"
          aria-valuetext={`${done} of ${total} rows done (${percent}%)`}
          color={batch.counts.failed > 0 ? 'warning' : 'primary'}
          sx={{ height: 8, borderRadius: 1 }}
        />
      </Stack>
      <Box
        component="dl"
        sx={{
          display: 'flex',
          flexWrap: 'wrap',
          columnGap: 3,
          rowGap: 1,
          m: 0,
          '& > div': { minWidth: 72 },
          '& dt': { color: 'text.secondary', typography: 'body2' },
          '& dd': { m: 0, typography: 'h3', fontVariantNumeric: 'tabular-nums' },
        }}
      >
        {counts.map(([label, count]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{count}</dd>
          </div>
        ))}
      </Box>
      <Stack direction="row" sx={{ columnGap: 1, flexWrap: 'wrap' }}>
        <Typography role="status" aria-live="polite" aria-atomic="true">
          {batchStateSentence(batch)}
        </Typography>
        {batch.state === 'running' ? (
          <Typography color="text.secondary">
            {seconds === undefined ? 'Working out the time left.' : `${formatTimeLeft(seconds)}.`}
          </Typography>
        ) : null}
      </Stack>
    </Stack>
  );
}
