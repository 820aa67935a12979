import { describe, expect, it } from 'vitest';
import { CircuitBreaker, CircuitOpenError } from '../../../src/server/avara/circuit-breaker.ts';
import type { BreakerState } from '../../../src/server/avara/circuit-breaker.ts';

function setup(options: { failureThreshold?: number; openMs?: number } = {}) {
  let now = 0;
  const changes: string[] = [];
  const breaker = new CircuitBreaker({
    failureThreshold: options.failureThreshold ?? 3,
    openMs: options.openMs ?? 1_000,
    now: () => now,
    onStateChange: ({ from, to }: { from: BreakerState; to: BreakerState }) => changes.push(`${from}->${to}`),
  });
  return {
    breaker,
    changes,
    advance: (ms: number) => {
      now += ms;
    },
    fail: () => breaker.acquire().settle('failure'),
    succeed: () => breaker.acquire().settle('success'),
  };
}

describe('CircuitBreaker', () => {
  it('stays closed below the threshold, and a success resets the count', () => {
    const { breaker, fail, succeed } = setup();
    fail();
    fail();
    succeed();
    fail();
    fail();
    expect(breaker.state).toBe('closed');
    expect(breaker.failures).toBe(2);
  });

  it('opens after N consecutive failures and then fails fast, saying how long to wait', () => {
    const { breaker, fail, advance, changes } = setup();
    fail();
    fail();
    fail();
    expect(breaker.state).toBe('open');
    advance(400);
    const error = (() => {
      try {
        breaker.acquire();
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error).toMatchObject({ retryAfterMs: 600 });
    expect(breaker.retryAfterMs()).toBe(600);
    expect(changes).toEqual(['closed->open']);
  });

  it('after the open time lets exactly one probe through; its success closes the breaker', () => {
    const { breaker, fail, advance, changes } = setup();
    for (let i = 0; i < 3; i += 1) fail();
    advance(1_000);
    expect(breaker.state).toBe('half-open');
    const probe = breaker.acquire();
    expect(probe.probe).toBe(true);
    expect(() => breaker.acquire()).toThrow(CircuitOpenError);
    probe.settle('success');
    expect(breaker.state).toBe('closed');
    expect(breaker.acquire().probe).toBe(false);
    expect(changes).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
  });

  it('a failed probe opens it again for the whole open time', () => {
    const { breaker, fail, advance } = setup();
    for (let i = 0; i < 3; i += 1) fail();
    advance(1_000);
    breaker.acquire().settle('failure');
    expect(breaker.state).toBe('open');
    advance(999);
    expect(() => breaker.acquire()).toThrow(CircuitOpenError);
    advance(1);
    expect(breaker.acquire().probe).toBe(true);
  });

  it('a neutral probe (a 429, say) leaves it half-open for the next call to probe', () => {
    const { breaker, fail, advance } = setup();
    for (let i = 0; i < 3; i += 1) fail();
    advance(1_000);
    breaker.acquire().settle('neutral');
    expect(breaker.state).toBe('half-open');
    expect(breaker.acquire().probe).toBe(true);
  });

  it('neutral outcomes neither count nor reset while closed', () => {
    const { breaker, fail } = setup();
    fail();
    fail();
    breaker.acquire().settle('neutral');
    expect(breaker.failures).toBe(2);
    fail();
    expect(breaker.state).toBe('open');
  });

  it('counts a permit once however often it is settled', () => {
    const { breaker } = setup();
    const permit = breaker.acquire();
    permit.settle('failure');
    permit.settle('failure');
    permit.settle('failure');
    expect(breaker.failures).toBe(1);
  });

  it('a call that started before the breaker opened does not reopen it late', () => {
    const { breaker, fail, advance } = setup();
    const slow = breaker.acquire();
    for (let i = 0; i < 3; i += 1) fail();
    slow.settle('failure');
    advance(1_000);
    expect(breaker.state).toBe('half-open');
  });

  it('run() counts resolved calls as successes and thrown ones as failures, or as the verdict says', async () => {
    const { breaker } = setup({ failureThreshold: 2 });
    await expect(breaker.run(async () => 'ok')).resolves.toBe('ok');
    await expect(
      breaker.run(
        () => Promise.reject(new Error('429')),
        () => 'neutral',
      ),
    ).rejects.toThrow('429');
    expect(breaker.failures).toBe(0);
    await expect(breaker.run(() => Promise.reject(new Error('down')))).rejects.toThrow('down');
    await expect(breaker.run(() => Promise.reject(new Error('down')))).rejects.toThrow('down');
    await expect(breaker.run(async () => 'never called')).rejects.toBeInstanceOf(CircuitOpenError);
  });
});
