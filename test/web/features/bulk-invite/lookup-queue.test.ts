import { describe, expect, it } from 'vitest';
import type { InviteCheckResult } from '../../../../src/contract/bulk.ts';
import { ApiError } from '../../../../src/web/lib/api-client.ts';
import { LookupQueue } from '../../../../src/web/features/bulk-invite/lookup-queue.ts';
import type { LookupOutcome } from '../../../../src/web/features/bulk-invite/lookup-queue.ts';

const emails = (n: number, from = 0) =>
  Array.from({ length: n }, (_, index) => `p${from + index}@clinic.org`);
const answer = (chunk: string[]): InviteCheckResult => ({
  results: chunk.map((email) => ({ email, existing: null })),
});
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('looking e-mail addresses up', () => {
  it('asks in chunks of 50, at most two at once, however many are added while it runs', async () => {
    let running = 0;
    let most = 0;
    const asked: number[] = [];
    const outcomes: LookupOutcome[] = [];
    const queue = new LookupQueue(
      async (chunk) => {
        running += 1;
        most = Math.max(most, running);
        asked.push(chunk.length);
        await settle();
        running -= 1;
        return answer(chunk);
      },
      (outcome) => outcomes.push(outcome),
    );
    queue.add(emails(120));
    queue.add(emails(60, 120));
    queue.add(emails(1, 180));
    await expect.poll(() => outcomes.flatMap((o) => (o.kind === 'known' ? o.results : [])).length).toBe(181);
    expect(most).toBe(2);
    expect(asked.every((size) => size <= 50)).toBe(true);
    expect(asked.reduce((a, b) => a + b, 0)).toBe(181);
  });

  it('waits the Retry-After of a 429 and asks the same chunk again; other failures are reported', async () => {
    const waits: number[] = [];
    const outcomes: LookupOutcome[] = [];
    let calls = 0;
    const queue = new LookupQueue(
      (chunk) => {
        calls += 1;
        if (calls === 1) {
          return Promise.reject(
            new ApiError(429, {
              type: '/problems/rate-limited',
              title: 'Slow down',
              status: 429,
              retryAfter: 3,
            }),
          );
        }
        if (chunk.includes('bad@clinic.org')) {
          return Promise.reject(
            new ApiError(502, { type: '/problems/upstream-unavailable', title: 'Down', status: 502 }),
          );
        }
        return Promise.resolve(answer(chunk));
      },
      (outcome) => outcomes.push(outcome),
      (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    );
    queue.add(['a@clinic.org']);
    await expect.poll(() => outcomes.length).toBe(1);
    expect(waits).toEqual([3000]);
    expect(outcomes[0]).toEqual({ kind: 'known', results: [{ email: 'a@clinic.org', existing: null }] });
    queue.add(['bad@clinic.org']);
    await expect.poll(() => outcomes.length).toBe(2);
    expect(outcomes[1]).toEqual({ kind: 'failed', emails: ['bad@clinic.org'] });
  });
});
