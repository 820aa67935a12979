import { describe, expect, it, vi } from 'vitest';
import {
  HASH_POOL_RETRY_AFTER_SECONDS,
  defaultHashConcurrency,
  poolHasher,
} from '../../../src/server/auth/hash-pool.ts';
import { ProblemError } from '../../../src/server/problems.ts';
import { createGatedHasher } from '../../support/gated-hasher.ts';

/** The pool every password hash and verification runs through: a few at once, a short queue, 503 beyond it. */

async function problemOf(promise: Promise<unknown>): Promise<ProblemError['problem']> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ProblemError)) throw new Error(`expected a ProblemError, got ${String(error)}`);
  return error.problem;
}

describe('hash pool', () => {
  it('runs `concurrency` at once, queues `queue` more, and refuses the rest at once with 503 and Retry-After', async () => {
    const gated = createGatedHasher();
    const hash = await gated.hasher.hash('a password of decent length');
    const pooled = poolHasher(gated.hasher, { concurrency: 2, queue: 3 });
    gated.close();
    const startedBefore = gated.started();
    const held = [
      pooled.verify('a password of decent length', hash),
      pooled.verify('wrong password of decent length', hash),
      pooled.hash('a password of decent length'),
      pooled.verifyDummy('a password of decent length'),
      pooled.verify('a password of decent length', hash),
    ];
    await vi.waitFor(() => expect(gated.started() - startedBefore).toBe(2));
    // Every kind of work is refused alike once the pool and its queue are full, before any held one ends.
    for (const refused of [
      pooled.verify('a password of decent length', hash),
      pooled.hash('a password of decent length'),
      pooled.verifyDummy('x'),
    ]) {
      expect(await problemOf(refused)).toMatchObject({
        code: 'busy',
        status: 503,
        retryAfter: HASH_POOL_RETRY_AFTER_SECONDS,
      });
    }
    expect(gated.started() - startedBefore).toBe(2);
    gated.open();
    const [right, wrong, made, dummy, again] = await Promise.all(held);
    expect([right, wrong, dummy, again]).toEqual([true, false, false, true]);
    expect(made).toMatch(/^scrypt\$/);
    // Room again.
    await expect(pooled.verify('a password of decent length', hash)).resolves.toBe(true);
    expect(pooled.needsRehash(hash)).toBe(false);
  });

  it('is sized to the cores: at least 1, at most 2', () => {
    expect(defaultHashConcurrency()).toBeGreaterThanOrEqual(1);
    expect(defaultHashConcurrency()).toBeLessThanOrEqual(2);
  });
});
