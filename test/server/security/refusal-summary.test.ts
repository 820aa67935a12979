import { describe, expect, it } from 'vitest';
import {
  createRefusalSummary,
  type RefusalSummaryLine,
} from '../../../src/server/security/refusal-summary.ts';

/** Refused sign-ins are counted, not logged one by one: one line per address per window. */

const MINUTE = 60_000;

function build(maxKeys?: number) {
  let clock = Date.UTC(2026, 2, 2, 8);
  const lines: RefusalSummaryLine[] = [];
  const summary = createRefusalSummary({
    windowMs: 15 * MINUTE,
    now: () => clock,
    write: (line) => lines.push(line),
    maxKeys,
  });
  return {
    summary,
    lines,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

describe('refusal summary', () => {
  it('writes one line per address per window, with the counts, when the window ends', () => {
    const { summary, lines, advance } = build();
    for (let i = 0; i < 10_000; i += 1) summary.count('192.0.2.1', i % 10 === 0 ? 'busy' : 'paused');
    summary.count('2001:db8:1:2::/64', 'paused');
    advance(15 * MINUTE - 1);
    summary.flush();
    expect(lines).toEqual([]);
    advance(1);
    summary.count('192.0.2.1', 'paused'); // opens the next window, after writing the last one
    expect(lines).toEqual([
      {
        address: '192.0.2.1',
        paused: 9_000,
        busy: 1_000,
        since: '2026-03-02T08:00:00.000Z',
        windowMinutes: 15,
      },
      {
        address: '2001:db8:1:2::/64',
        paused: 1,
        busy: 0,
        since: '2026-03-02T08:00:00.000Z',
        windowMinutes: 15,
      },
    ]);
    summary.close();
    expect(lines.slice(2)).toEqual([
      { address: '192.0.2.1', paused: 1, busy: 0, since: '2026-03-02T08:15:00.000Z', windowMinutes: 15 },
    ]);
    summary.close();
    expect(lines).toHaveLength(3);
  });

  it('holds at most maxKeys addresses: a flood of addresses writes the oldest early rather than growing', () => {
    const { summary, lines } = build(100);
    for (let i = 0; i < 1_000; i += 1) summary.count(`10.0.${i >> 8}.${i & 255}`, 'paused');
    expect(lines).toHaveLength(900);
    expect(lines[0]).toMatchObject({ address: '10.0.0.0', paused: 1 });
    summary.close();
    expect(lines).toHaveLength(1_000);
  });
});
