import { describe, expect, it } from 'vitest';
import { ConcurrencyLimiter, LimiterRejectedError } from '../../../src/server/avara/concurrency-limiter.ts';

function deferred() {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('ConcurrencyLimiter', () => {
  it('runs at most maxConcurrent tasks at once, the rest in arrival order', async () => {
    const limiter = new ConcurrencyLimiter({ maxConcurrent: 2, maxQueue: 10, queueTimeoutMs: 1_000 });
    const gates = Array.from({ length: 5 }, deferred);
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    const runs = gates.map((gate, i) =>
      limiter.run(async () => {
        started.push(i);
        running += 1;
        peak = Math.max(peak, running);
        await gate.promise;
        running -= 1;
        return i;
      }),
    );
    await Promise.resolve();
    expect(limiter.active).toBe(2);
    expect(limiter.queued).toBe(3);
    for (const gate of gates) gate.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
    expect(limiter.active).toBe(0);
  });

  it('refuses at once when the queue is full', async () => {
    const limiter = new ConcurrencyLimiter({ maxConcurrent: 1, maxQueue: 1, queueTimeoutMs: 1_000 });
    const gate = deferred();
    const first = limiter.run(() => gate.promise);
    const second = limiter.run(async () => 'second');
    await expect(limiter.run(async () => 'third')).rejects.toMatchObject({ reason: 'queue-full' });
    gate.resolve();
    await first;
    expect(await second).toBe('second');
  });

  it('gives up waiting after queueTimeoutMs, and the slot stays usable', async () => {
    const limiter = new ConcurrencyLimiter({ maxConcurrent: 1, maxQueue: 5, queueTimeoutMs: 30 });
    const gate = deferred();
    const first = limiter.run(() => gate.promise);
    const waited = limiter.run(async () => 'never');
    await expect(waited).rejects.toBeInstanceOf(LimiterRejectedError);
    await expect(waited).rejects.toMatchObject({ reason: 'timeout' });
    expect(limiter.queued).toBe(0);
    gate.resolve();
    await first;
    expect(await limiter.run(async () => 'after')).toBe('after');
    expect(limiter.active).toBe(0);
  });

  it('stops waiting when the signal aborts', async () => {
    const limiter = new ConcurrencyLimiter({ maxConcurrent: 1, maxQueue: 5, queueTimeoutMs: 10_000 });
    const gate = deferred();
    const first = limiter.run(() => gate.promise);
    const controller = new AbortController();
    const waited = limiter.run(async () => 'never', controller.signal);
    controller.abort();
    await expect(waited).rejects.toMatchObject({ reason: 'aborted' });
    gate.resolve();
    await first;
  });

  it('releases the slot when a task throws', async () => {
    const limiter = new ConcurrencyLimiter({ maxConcurrent: 1 });
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(limiter.active).toBe(0);
    expect(await limiter.run(async () => 'next')).toBe('next');
  });
});
