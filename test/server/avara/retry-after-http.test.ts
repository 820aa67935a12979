import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMIT_WAIT_SECONDS } from '../../../src/server/avara/problem-mapping.ts';
import { expectProblem } from '../../support/http.ts';
import { newPerson } from '../../support/people.ts';
import { startStack } from '../../support/stack.ts';
import type { FaultSpec, Stack } from '../../support/stack.ts';

/**
 * An upstream Retry-After, in every form Avara could send it, reaches the browser as whole seconds between 1 and an
 * hour (issue 13): never as 99999999, never negative, never a date the browser would have to read.
 */

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
});
beforeEach(async () => {
  await stack.faults.clear();
  await stack.clearUpstreamRequests();
});

type Wait = Pick<FaultSpec, 'retryAfter' | 'headers'>;

const httpDate = (offsetMs: number) => new Date(Date.now() + offsetMs).toUTCString();

const CASES: { name: string; wait: () => Wait; seconds: readonly [number, number] | 'default' }[] = [
  { name: 'huge seconds', wait: () => ({ retryAfter: '99999999' }), seconds: [3600, 3600] },
  { name: 'a 100-digit number', wait: () => ({ retryAfter: '9'.repeat(100) }), seconds: [3600, 3600] },
  { name: 'one second over the hour', wait: () => ({ retryAfter: '3601' }), seconds: [3600, 3600] },
  {
    name: 'huge retry-after-ms',
    wait: () => ({ headers: { 'retry-after-ms': '99999999999' } }),
    seconds: [3600, 3600],
  },
  { name: 'fractional seconds', wait: () => ({ retryAfter: '2.5' }), seconds: [3, 3] },
  {
    name: 'fractional milliseconds',
    wait: () => ({ headers: { 'retry-after-ms': '1500.7' } }),
    seconds: [2, 2],
  },
  { name: 'zero', wait: () => ({ retryAfter: '0' }), seconds: [1, 1] },
  { name: 'negative seconds', wait: () => ({ retryAfter: '-5' }), seconds: 'default' },
  {
    name: 'negative milliseconds',
    wait: () => ({ headers: { 'retry-after-ms': '-5000' } }),
    seconds: 'default',
  },
  { name: 'an exponent', wait: () => ({ retryAfter: '1e9' }), seconds: 'default' },
  { name: 'hexadecimal', wait: () => ({ retryAfter: '0x10' }), seconds: 'default' },
  { name: 'a word', wait: () => ({ retryAfter: 'later' }), seconds: 'default' },
  { name: 'a loose date', wait: () => ({ retryAfter: 'foo 1' }), seconds: 'default' },
  { name: 'a date in the past', wait: () => ({ retryAfter: httpDate(-3_600_000) }), seconds: [1, 1] },
  { name: 'a date 90 s ahead', wait: () => ({ retryAfter: httpDate(90_000) }), seconds: [89, 91] },
  {
    name: 'a date a year ahead',
    wait: () => ({ retryAfter: httpDate(365 * 86_400_000) }),
    seconds: [3600, 3600],
  },
  {
    name: 'the last date there is',
    wait: () => ({ retryAfter: 'Fri, 31 Dec 9999 23:59:59 GMT' }),
    seconds: [3600, 3600],
  },
];

function expectWait(
  answer: { headers: Record<string, string> },
  retryAfter: number | undefined,
  want: readonly [number, number],
) {
  expect(retryAfter).toBeGreaterThanOrEqual(want[0]);
  expect(retryAfter).toBeLessThanOrEqual(want[1]);
  expect(answer.headers['retry-after']).toBe(String(retryAfter));
}

describe.each(CASES)('an upstream Retry-After of $name', ({ wait, seconds }) => {
  it('is passed on capped, in whole seconds, by a refused write (429)', async () => {
    await stack.faults.add({ method: 'POST', path: '/v1/viewer/users', status: 429, ...wait() });
    const answer = await stack.api('POST', '/api/users', { body: newPerson() });
    const problem = expectProblem(answer, 429, 'rate-limited');
    const want =
      seconds === 'default'
        ? ([DEFAULT_RATE_LIMIT_WAIT_SECONDS, DEFAULT_RATE_LIMIT_WAIT_SECONDS] as const)
        : seconds;
    expectWait(answer, problem.retryAfter, want);
  });

  it('is passed on capped by an unavailable upstream (503), or not at all when it cannot be read', async () => {
    await stack.faults.add({ method: 'POST', path: '/v1/viewer/users', status: 503, ...wait() });
    const answer = await stack.api('POST', '/api/users', { body: newPerson() });
    const problem = expectProblem(answer, 502, 'upstream-unavailable');
    if (seconds === 'default') {
      expect(problem.retryAfter).toBeUndefined();
      expect(answer.headers['retry-after']).toBeUndefined();
    } else {
      expectWait(answer, problem.retryAfter, seconds);
    }
  });
});

describe('a read told to wait', () => {
  it('does not sit through an hour: it answers at once, with the wait capped', async () => {
    await stack.faults.add({
      method: 'GET',
      path: '/v1/viewer/users',
      status: 429,
      retryAfter: '99999999',
      times: 3,
    });
    const started = Date.now();
    const answer = await stack.api('GET', '/api/users?limit=1');
    expect(Date.now() - started).toBeLessThan(2_000);
    expectWait(answer, expectProblem(answer, 429, 'rate-limited').retryAfter, [3600, 3600]);
    expect(await stack.upstreamRequests()).toHaveLength(1);
  });
});
