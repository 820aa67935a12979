import Box from '@mui/material/Box';
import { NOT_RECORDED, formatDate, formatDateTime } from '../../lib/dates.ts';

/**
 * A time Avara may not have recorded: the day (with the exact time as its title) or the day and time, or
 * "Not recorded", muted, when the upstream sent `null`.
 */
export function RecordedTime({ at, show = 'date-time' }: { at: string | null; show?: 'date' | 'date-time' }) {
  if (at === null) {
    return (
      <Box component="span" sx={{ color: 'text.secondary', fontStyle: 'italic' }}>
        {NOT_RECORDED}
      </Box>
    );
  }
  if (show === 'date') {
    return (
      <time dateTime={at} title={formatDateTime(at)}>
        {formatDate(at)}
      </time>
    );
  }
  return <time dateTime={at}>{formatDateTime(at)}</time>;
}
