import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/web/lib/api-client.ts';
import {
  isOutcomeOpen,
  memoryKeyStorage,
  newIdempotencyKey,
  sessionKeyStorage,
  stableStringify,
  withIdempotencyKey,
} from '../../../src/web/lib/idempotency.ts';

afterEach(() => sessionStorage.clear());

const problem = (status: number, code: string) =>
  new ApiError(status, { type: `/problems/${code}`, title: 'x', status });

/** Calls withIdempotencyKey and returns the key used and the error, if any. */
async function attempt(
  storage: ReturnType<typeof memoryKeyStorage>,
  submission: unknown,
  failWith?: unknown,
) {
  let used = '';
  let failure: unknown;
  await withIdempotencyKey(
    'scope',
    submission,
    async (key) => {
      used = key;
      if (failWith !== undefined) throw failWith;
      return 'ok';
    },
    storage,
  ).catch((error: unknown) => {
    failure = error;
  });
  return { key: used, failure };
}

describe('idempotency keys in the browser', () => {
  it('makes random UUIDs', () => {
    const a = newIdempotencyKey();
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(newIdempotencyKey()).not.toBe(a);
  });

  it('writes the same text for the same data in any key order', () => {
    expect(stableStringify({ b: 1, a: { d: [1, undefined], c: 'x' }, e: undefined })).toBe(
      '{"a":{"c":"x","d":[1,null]},"b":1}',
    );
    expect(stableStringify({ a: 1, b: 2 })).toBe(stableStringify({ b: 2, a: 1 }));
  });

  it('reuses the key when the same submission is retried after an open outcome', async () => {
    const storage = memoryKeyStorage();
    const first = await attempt(
      storage,
      { a: 1 },
      new ApiError(0, { type: '/problems/network', title: 'x', status: 0 }),
    );
    const second = await attempt(storage, { a: 1 }, problem(504, 'upstream-timeout'));
    const third = await attempt(storage, { a: 1 });
    expect(second.key).toBe(first.key);
    expect(third.key).toBe(first.key);
    expect(third.failure).toBeUndefined();
    // After the success the submission is done: the next one is a new change with a new key.
    expect((await attempt(storage, { a: 1 })).key).not.toBe(first.key);
  });

  it('uses a new key when what is submitted changed', async () => {
    const storage = memoryKeyStorage();
    const first = await attempt(storage, { a: 1 }, problem(502, 'upstream-unavailable'));
    expect((await attempt(storage, { a: 2 })).key).not.toBe(first.key);
  });

  it('forgets the key once the answer is definite (a refusal)', async () => {
    const storage = memoryKeyStorage();
    const first = await attempt(storage, { a: 1 }, problem(409, 'duplicate-email'));
    expect(storage.load('scope')).toBeUndefined();
    expect((await attempt(storage, { a: 1 })).key).not.toBe(first.key);
  });

  it('says which failures leave the outcome open', () => {
    expect(isOutcomeOpen(new Error('bug'))).toBe(true);
    expect(isOutcomeOpen(problem(0, 'network'))).toBe(true);
    expect(isOutcomeOpen(problem(502, 'upstream-unavailable'))).toBe(true);
    expect(isOutcomeOpen(problem(503, 'upstream-unavailable'))).toBe(true);
    expect(isOutcomeOpen(problem(429, 'rate-limited'))).toBe(true);
    expect(isOutcomeOpen(problem(409, 'request-in-progress'))).toBe(true);
    expect(isOutcomeOpen(problem(409, 'duplicate-email'))).toBe(false);
    expect(isOutcomeOpen(problem(400, 'validation'))).toBe(false);
    expect(isOutcomeOpen(problem(422, 'idempotency-key-reused'))).toBe(false);
  });

  it('keeps a pending key in sessionStorage, so it survives a reload', async () => {
    const first = await attempt(sessionKeyStorage(), { a: 1 }, problem(504, 'upstream-timeout'));
    // A new page: a new storage object over the same sessionStorage.
    const again = await attempt(sessionKeyStorage(), { a: 1 });
    expect(again.key).toBe(first.key);
    expect(sessionStorage.length).toBe(0);
  });

  it('ignores unreadable sessionStorage content', () => {
    sessionStorage.setItem('viewer-admin.idempotency.scope', '{not json');
    expect(sessionKeyStorage().load('scope')).toBeUndefined();
    sessionStorage.setItem('viewer-admin.idempotency.scope', JSON.stringify({ key: 5 }));
    expect(sessionKeyStorage().load('scope')).toBeUndefined();
  });
});
