import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { DirectoryFreshness } from '../../../contract/directory.ts';
import { RequestIdNote } from '../../components/request-id.tsx';
import { formatDateTime } from '../../lib/dates.ts';
import { useRefreshDirectory } from './directory.ts';

const TIME = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

/** "12:03" today, the date and time on another day. */
function asOfText(iso: string, now: Date = new Date()): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return at.toDateString() === now.toDateString() ? TIME.format(at) : formatDateTime(iso);
}

function lineText(refreshing: boolean, shown: DirectoryFreshness | undefined): string {
  if (refreshing) return 'Refreshing from Avara…';
  if (shown === undefined) return '';
  if (shown.asOf === null)
    return shown.refreshing ? 'Loading everyone from Avara…' : 'Not yet loaded from Avara.';
  return `As of ${asOfText(shown.asOf)}${shown.refreshing ? ' · refreshing from Avara…' : ''}`;
}

/**
 * How fresh the list is ("As of 12:03 · Refresh now"): Refresh now asks the BFF for a full refresh from Avara, waits
 * for it, then the list loads again. A failed refresh is said plainly, with what the list still shows.
 */
export function DirectoryFreshnessLine({ freshness }: { freshness: DirectoryFreshness | undefined }) {
  const refresh = useRefreshDirectory();
  const shown = refresh.data ?? freshness;
  const refreshing = refresh.isPending || shown?.refreshing === true;
  const text = lineText(refresh.isPending, shown);

  return (
    <Stack spacing={1}>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap', rowGap: 0.5 }}>
        <Typography variant="body2" role="status" aria-live="polite" sx={{ color: 'text.secondary' }}>
          {shown?.asOf ? <time dateTime={shown.asOf}>{text}</time> : text}
        </Typography>
        <Typography variant="body2" aria-hidden="true" sx={{ color: 'text.secondary' }}>
          ·
        </Typography>
        <Button size="small" onClick={() => refresh.mutate()} disabled={refreshing}>
          Refresh now
        </Button>
      </Stack>
      {refresh.isError ? (
        <Alert severity="error" role="alert">
          The refresh could not be started. {refresh.error.problem.detail ?? refresh.error.problem.title}
          <RequestIdNote requestId={refresh.error.requestId} />
        </Alert>
      ) : shown?.lastError && !refreshing ? (
        <Alert severity="warning">
          The last refresh from Avara failed: {shown.lastError}{' '}
          {shown.asOf
            ? `The list shows what was known at ${asOfText(shown.asOf)}.`
            : 'The list may be incomplete.'}
        </Alert>
      ) : null}
    </Stack>
  );
}
