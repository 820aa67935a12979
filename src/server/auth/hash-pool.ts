import { availableParallelism } from 'node:os';
import { ConcurrencyLimiter, LimiterRejectedError } from '../avara/concurrency-limiter.ts';
import { ProblemError } from '../problems.ts';
import type { PasswordHasher } from './password.ts';

/**
 * Every password hash and verification of the server runs through one small pool: a few at once, a short queue, and
 * an immediate 503 beyond it. scrypt runs on libuv's thread pool (4 threads by default), which also reads the static
 * files; unbounded, a burst of sign-ins filled it, so pages and `/healthz` waited behind the hashes, and each hash held
 * its memory for as long as it queued. Bounded, a flood costs at most `concurrency` hashes' CPU and memory.
 */
export interface HashPoolOptions {
  /** Hashes running at once (default: one core fewer than the machine has, between 1 and 2). */
  concurrency?: number | undefined;
  /** Hashes waiting for a turn (default 8); more are refused at once. */
  queue?: number | undefined;
}

/** Seconds a refused caller is asked to wait: the queue empties in about this long. */
export const HASH_POOL_RETRY_AFTER_SECONDS = 2;
/** Longest a queued hash waits for its turn (a full queue drains well within it; this only bounds a stuck pool). */
const QUEUE_TIMEOUT_MS = 10_000;

/**
 * At most 2: two hashes keep two libuv threads busy and leave two for file reads, and a clinic's sign-ins are nowhere
 * near needing more. On a 2-core machine, 1, so the other core stays free for everything else.
 */
export function defaultHashConcurrency(): number {
  return Math.max(1, Math.min(2, availableParallelism() - 1));
}

export function busyProblem(): ProblemError {
  return new ProblemError({
    code: 'busy',
    status: 503,
    title: 'Viewer Admin is busy checking other sign-ins',
    detail: `Nothing was checked. Try again in ${HASH_POOL_RETRY_AFTER_SECONDS} seconds.`,
    retryAfter: HASH_POOL_RETRY_AFTER_SECONDS,
  });
}

/** True for the refusal `poolHasher` throws when the pool is full. */
export function isBusyProblem(error: unknown): error is ProblemError {
  return error instanceof ProblemError && error.problem.code === 'busy';
}

/** `hasher` with every hash and verification run through the pool; a full pool throws the 503 of `busyProblem`. */
export function poolHasher(hasher: PasswordHasher, options: HashPoolOptions = {}): PasswordHasher {
  const limiter = new ConcurrencyLimiter({
    maxConcurrent: options.concurrency ?? defaultHashConcurrency(),
    maxQueue: options.queue ?? 8,
    queueTimeoutMs: QUEUE_TIMEOUT_MS,
  });
  async function run<T>(task: () => Promise<T>): Promise<T> {
    try {
      return await limiter.run(task);
    } catch (error) {
      if (error instanceof LimiterRejectedError) throw busyProblem();
      throw error;
    }
  }
  return {
    hash: (password) => run(() => hasher.hash(password)),
    verify: (password, encoded) => run(() => hasher.verify(password, encoded)),
    verifyDummy: (password) => run(() => hasher.verifyDummy(password)),
    needsRehash: (encoded) => hasher.needsRehash(encoded),
  };
}
