import { describe, expect, it } from 'vitest';
import { localDateStamp, relativeTime } from '../../../src/web/lib/dates.ts';

const NOW = Date.parse('2026-03-10T12:00:00.000Z');
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const iso = (offset: number) => new Date(NOW + offset).toISOString();

describe('relative times', () => {
  it('says how far ahead or behind, in days, hours or minutes', () => {
    expect(relativeTime(iso(3 * DAY), NOW)).toEqual({ text: 'in 3 days', past: false });
    expect(relativeTime(iso(-2 * DAY), NOW)).toEqual({ text: '2 days ago', past: true });
    expect(relativeTime(iso(6.9 * DAY), NOW)?.text).toBe('in 7 days');
    expect(relativeTime(iso(-1 * DAY), NOW)?.text).toBe('1 day ago');
    expect(relativeTime(iso(5 * HOUR), NOW)?.text).toBe('in 5 hours');
    expect(relativeTime(iso(-20 * 60_000), NOW)?.text).toBe('20 minutes ago');
    expect(relativeTime(iso(10_000), NOW)?.text).toBe('in less than a minute');
  });

  it('gives up on a time it cannot read', () => {
    expect(relativeTime('soon', NOW)).toBeUndefined();
  });

  it('stamps file names with the local date', () => {
    expect(localDateStamp(new Date(2026, 0, 5, 23, 59))).toBe('2026-01-05');
  });
});
