const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const DATE = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
/** English, like the rest of the interface ("in 3 days", "2 days ago"). */
const RELATIVE = new Intl.RelativeTimeFormat('en', { numeric: 'always' });

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

function parse(iso: string): Date | undefined {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** An ISO time in the operator's own locale and time zone: "2 Mar 2026, 09:15" (the text itself if unreadable). */
export function formatDateTime(iso: string): string {
  const date = parse(iso);
  return date ? DATE_TIME.format(date) : iso;
}

/** The day only: "2 Mar 2026". */
export function formatDate(iso: string): string {
  const date = parse(iso);
  return date ? DATE.format(date) : iso;
}

/**
 * How far `iso` is from `now`, in the largest sensible unit: "in 3 days", "2 hours ago", "in 5 minutes".
 * `past` says which side of now it is on. Undefined when the time cannot be read.
 */
export function relativeTime(
  iso: string,
  now: number = Date.now(),
): { text: string; past: boolean } | undefined {
  const date = parse(iso);
  if (!date) return undefined;
  const diff = date.getTime() - now;
  const size = Math.abs(diff);
  const past = diff < 0;
  const signed = (value: number) => (past ? -value : value);
  if (size < MINUTE_MS) return { text: past ? 'less than a minute ago' : 'in less than a minute', past };
  if (size < HOUR_MS) return { text: RELATIVE.format(signed(Math.round(size / MINUTE_MS)), 'minute'), past };
  if (size < DAY_MS) return { text: RELATIVE.format(signed(Math.round(size / HOUR_MS)), 'hour'), past };
  return { text: RELATIVE.format(signed(Math.round(size / DAY_MS)), 'day'), past };
}

/** Today's date as YYYY-MM-DD in the operator's time zone (for file names). */
export function localDateStamp(now: Date = new Date()): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** What a time Avara did not record (`null` on the wire) is shown as. */
export const NOT_RECORDED = 'Not recorded';
