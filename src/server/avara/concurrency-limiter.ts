/**
 * A limit on concurrent upstream requests: at most `maxConcurrent` run at once; the rest wait in a bounded FIFO
 * queue, each for at most `queueTimeoutMs`. A full queue or a wait that runs out is refused with
 * LimiterRejectedError (nothing was sent upstream), so a burst of operators queues briefly instead of tripping
 * Avara's rate limit, and an overload is answered quickly instead of piling up.
 */

export interface ConcurrencyLimiterOptions {
  /** Upstream requests in flight at once (default 8). */
  maxConcurrent?: number | undefined;
  /** Requests waiting for a slot (default 256). */
  maxQueue?: number | undefined;
  /** The longest a request waits for a slot (default 5 000 ms). */
  queueTimeoutMs?: number | undefined;
}

export const DEFAULT_LIMITS = { maxConcurrent: 8, maxQueue: 256, queueTimeoutMs: 5_000 } as const;

export class LimiterRejectedError extends Error {
  override readonly name = 'LimiterRejectedError';
  constructor(readonly reason: 'queue-full' | 'timeout' | 'aborted') {
    super(
      reason === 'queue-full'
        ? 'Too many requests are waiting for Avara.'
        : reason === 'timeout'
          ? 'Waited too long for a free connection to Avara.'
          : 'Stopped waiting for a free connection to Avara.',
    );
  }
}

interface Waiter {
  grant(): void;
  settled: boolean;
}

export class ConcurrencyLimiter {
  readonly maxConcurrent: number;
  readonly maxQueue: number;
  readonly queueTimeoutMs: number;
  #active = 0;
  #queue: Waiter[] = [];

  constructor(options: ConcurrencyLimiterOptions = {}) {
    this.maxConcurrent = Math.max(1, options.maxConcurrent ?? DEFAULT_LIMITS.maxConcurrent);
    this.maxQueue = Math.max(0, options.maxQueue ?? DEFAULT_LIMITS.maxQueue);
    this.queueTimeoutMs = Math.max(0, options.queueTimeoutMs ?? DEFAULT_LIMITS.queueTimeoutMs);
  }

  /** Requests holding a slot. */
  get active(): number {
    return this.#active;
  }

  /** Requests waiting for one. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Run `task` once a slot is free (the slot is released however it ends). */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.#acquire(signal);
    try {
      return await task();
    } finally {
      this.#release();
    }
  }

  async #acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw new LimiterRejectedError('aborted');
    if (this.#active < this.maxConcurrent && this.#queue.length === 0) {
      this.#active += 1;
      return;
    }
    if (this.#queue.length >= this.maxQueue) throw new LimiterRejectedError('queue-full');
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        settled: false,
        grant: () => {
          finish();
          resolve();
        },
      };
      const fail = (reason: 'timeout' | 'aborted') => {
        if (waiter.settled) return;
        finish();
        const at = this.#queue.indexOf(waiter);
        if (at !== -1) this.#queue.splice(at, 1);
        reject(new LimiterRejectedError(reason));
      };
      const timer = setTimeout(() => fail('timeout'), this.queueTimeoutMs);
      const onAbort = () => fail('aborted');
      signal?.addEventListener('abort', onAbort, { once: true });
      const finish = () => {
        waiter.settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      this.#queue.push(waiter);
    });
  }

  #release(): void {
    const next = this.#queue.shift();
    if (next) {
      // The slot passes straight to the next waiter: `active` stays the same.
      next.grant();
      return;
    }
    this.#active = Math.max(0, this.#active - 1);
  }
}
