import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BulkBatchSchema } from '../../../../src/contract/bulk.ts';
import { mergeBatch } from '../../../../src/web/features/bulk-invite/batch-api.ts';
import {
  addSample,
  batchProgress,
  estimateSecondsLeft,
  formatTimeLeft,
  resultsCsv,
  sentRowsTsv,
} from '../../../../src/web/features/bulk-invite/batch-results.ts';
import { batch, changes, nth, row, userIdOf } from './batch-fixtures.ts';

describe('merging what changed into a batch', () => {
  it('replaces the changed rows and takes the summary from the newer answer', () => {
    const rows = [row(0, 'waiting'), row(1, 'waiting'), row(2, 'waiting')];
    const now = [
      row(0, 'sent', { version: 2 }),
      nth(rows, 1),
      row(2, 'failed', { version: 3, message: 'No.' }),
    ];
    const merged = mergeBatch(batch(rows), changes(now, [nth(now, 0), nth(now, 2)], { version: 3 }));
    expect(merged).toEqual(batch(now, { version: 3 }));
    expect(BulkBatchSchema.safeParse(merged).success).toBe(true);
  });

  it('whatever order the answers arrive in, ends at the newest of each row and of the batch', () => {
    const size = 6;
    // Each step changes some rows to a new version; every answer carries the rows changed since version 1.
    const step = fc.array(fc.integer({ min: 0, max: size - 1 }), { minLength: 1, maxLength: size });
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 6 }),
        fc.infiniteStream(fc.nat()),
        (steps, picks) => {
          let rows = Array.from({ length: size }, (_, n) => row(n, 'waiting'));
          const answers = steps.map((changed, at) => {
            const version = at + 2;
            rows = rows.map((known) =>
              changed.includes(known.index) ? row(known.index, 'sent', { version }) : known,
            );
            return changes(
              rows,
              rows.filter((known) => known.version > 1),
              { version },
            );
          });
          const keys = [...picks.take(answers.length)];
          const shuffled = answers
            .map((answer, at) => ({ answer, key: keys[at] ?? 0 }))
            .sort((a, b) => a.key - b.key)
            .map(({ answer }) => answer);
          const start = batch(Array.from({ length: size }, (_, n) => row(n, 'waiting')));
          const merged = shuffled.reduce(mergeBatch, start);
          expect(merged).toEqual(batch(rows, { version: steps.length + 1 }));
        },
      ),
    );
  });

  it('ignores an answer about another batch', () => {
    const shown = batch([row(0, 'waiting')]);
    expect(
      mergeBatch(shown, { ...batch([row(0, 'sent', { version: 5 })]), batchId: `bat_${'e'.repeat(32)}` }),
    ).toBe(shown);
  });
});

describe('progress and time left', () => {
  it('counts a row done once it is sent, failed, skipped or cancelled', () => {
    const rows = [
      row(0, 'sent'),
      row(1, 'failed'),
      row(2, 'skipped'),
      row(3, 'cancelled'),
      row(4, 'sending'),
    ];
    expect(batchProgress(batch([...rows, row(5, 'waiting')]))).toEqual({
      done: 4,
      total: 6,
      percent: 66,
      waiting: 2,
    });
  });

  it('estimates from the rate seen over the last minute, once there is one', () => {
    expect(estimateSecondsLeft([], 10)).toBeUndefined();
    expect(
      estimateSecondsLeft(
        [
          { at: 0, done: 0 },
          { at: 1000, done: 5 },
        ],
        10,
      ),
    ).toBeUndefined();
    expect(
      estimateSecondsLeft(
        [
          { at: 0, done: 3 },
          { at: 4000, done: 3 },
        ],
        10,
      ),
    ).toBeUndefined();
    expect(
      estimateSecondsLeft(
        [
          { at: 0, done: 0 },
          { at: 4000, done: 8 },
        ],
        10,
      ),
    ).toBe(5);
    expect(estimateSecondsLeft([{ at: 0, done: 0 }], 0)).toBe(0);
    let samples = [{ at: 0, done: 0 }];
    for (let at = 1000; at <= 120_000; at += 1000) samples = addSample(samples, { at, done: at / 1000 });
    // Only the last minute (and the sample just before it) is kept.
    expect(samples[0]).toEqual({ at: 59_000, done: 59 });
    expect(samples).toHaveLength(62);
    expect(estimateSecondsLeft(samples, 30)).toBe(30);
  });

  it('says the time left as a person would', () => {
    expect(formatTimeLeft(3)).toBe('A few seconds left');
    expect(formatTimeLeft(42)).toBe('About 40 seconds left');
    expect(formatTimeLeft(89)).toBe('About 1 minute left');
    expect(formatTimeLeft(600)).toBe('About 10 minutes left');
    expect(formatTimeLeft(3600 + 1200)).toBe('About 1 hour 20 min left');
  });
});

describe('results', () => {
  it('copies only the sent rows, and keeps a tab or a line break in a value from splitting it', () => {
    const rows = [
      row(0, 'sent', { email: 'a\tb@x.org' }),
      row(1, 'failed'),
      row(2, 'skipped', { userId: userIdOf(2) }),
    ];
    expect(sentRowsTsv(batch(rows))).toBe(`a b@x.org\t${userIdOf(0)}`);
    expect(sentRowsTsv(batch([row(0, 'waiting')]))).toBe('');
  });

  it('writes a row as wide as the header, whatever the cells of the file were', () => {
    const rows = [
      row(0, 'sent', { cells: ['Ann'] }),
      row(1, 'waiting', { cells: ['A', 'B', 'C', 'D', 'extra'] }),
    ];
    expect(resultsCsv(batch(rows))).toBe(
      '\uFEFFFirst name,Last name,E-mail,Role,status,userId,message\r\n' +
        `Ann,,,,sent,${userIdOf(0)},\r\n` +
        'A,B,C,D,waiting,,\r\n',
    );
  });
});
