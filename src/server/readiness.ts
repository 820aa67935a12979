import type { AvaraClient } from './avara/client.ts';
import type { BreakerState, CircuitBreaker } from './avara/circuit-breaker.ts';
import { UpstreamError } from './avara/upstream-error.ts';

/**
 * GET /readyz: can this server do its job right now? The database and Avara are checked apart, so whoever reads it
 * knows which one is the trouble. Avara is asked at most once per `cacheMs` (a cheap one-user list, no retry, a short
 * deadline), and not at all while the circuit breaker is open: a readiness probe must not add to an outage.
 */

export interface CheckResult {
  status: 'ok' | 'fail';
}

export interface Readiness {
  status: 'ok' | 'unavailable';
  checks: { database: CheckResult; upstream: CheckResult & { breaker: BreakerState } };
}

export interface ReadinessOptions {
  ping: () => Promise<void>;
  client: AvaraClient;
  breaker: CircuitBreaker;
  /** How long an answer from Avara counts (default 2 000 ms; 0: ask every time). */
  cacheMs?: number | undefined;
  /** The deadline of the check (default 2 000 ms). */
  timeoutMs?: number | undefined;
  now?: (() => number) | undefined;
}

export function createReadiness(options: ReadinessOptions): () => Promise<Readiness> {
  const cacheMs = options.cacheMs ?? 2_000;
  const timeoutMs = options.timeoutMs ?? 2_000;
  const now = options.now ?? (() => Date.now());
  let cached: { at: number; result: CheckResult } | undefined;
  let inFlight: Promise<CheckResult> | undefined;

  const askAvara = async (): Promise<CheckResult> => {
    try {
      await options.client.checkReachable({ timeoutMs });
      return { status: 'ok' };
    } catch (error) {
      // Avara answering "too many requests" is reachable, just busy: not a reason to take this server out.
      if (error instanceof UpstreamError && error.kind === 'http' && error.status === 429)
        return { status: 'ok' };
      return { status: 'fail' };
    }
  };

  const upstream = async (): Promise<CheckResult> => {
    if (options.breaker.state === 'open') return { status: 'fail' };
    if (cached && now() - cached.at < cacheMs) return cached.result;
    // Concurrent probes share one request to Avara.
    inFlight ??= askAvara().finally(() => {
      inFlight = undefined;
    });
    const result = await inFlight;
    cached = { at: now(), result };
    return result;
  };

  return async () => {
    const [database, avara] = await Promise.all([
      options.ping().then(
        (): CheckResult => ({ status: 'ok' }),
        (): CheckResult => ({ status: 'fail' }),
      ),
      upstream(),
    ]);
    const ok = database.status === 'ok' && avara.status === 'ok';
    return {
      status: ok ? 'ok' : 'unavailable',
      checks: { database, upstream: { ...avara, breaker: options.breaker.state } },
    };
  };
}
