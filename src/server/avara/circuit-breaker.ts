/**
 * A circuit breaker for the upstream. Closed: calls go through and consecutive failures are counted. After
 * `failureThreshold` of them in a row it opens: calls fail fast (no request reaches Avara) for `openMs`. Then it is
 * half-open: exactly one call goes through as a probe while the others still fail fast; the probe's success closes
 * the breaker, its failure opens it again for another `openMs`.
 */

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker (default 5). */
  failureThreshold?: number | undefined;
  /** How long it stays open before letting a probe through (default 10 000 ms). */
  openMs?: number | undefined;
  /** The clock (milliseconds); tests inject their own. */
  now?: (() => number) | undefined;
  onStateChange?: ((change: { from: BreakerState; to: BreakerState }) => void) | undefined;
}

export const DEFAULT_BREAKER = { failureThreshold: 5, openMs: 10_000 } as const;

/** Thrown instead of calling the upstream while the breaker is open (or a probe is already out). */
export class CircuitOpenError extends Error {
  override readonly name = 'CircuitOpenError';
  constructor(
    /** When the next probe may go out, in milliseconds from now (at least 0). */
    readonly retryAfterMs: number,
  ) {
    super('Avara is not responding; calls fail fast until a probe succeeds.');
  }
}

/** How a call went, for the breaker: `neutral` says nothing about the upstream's health (e.g. a 429, a 4xx). */
export type CallVerdict = 'success' | 'failure' | 'neutral';

/** Permission for one call; report how it went exactly once. */
export interface BreakerPermit {
  readonly probe: boolean;
  settle(verdict: CallVerdict): void;
}

export class CircuitBreaker {
  readonly #threshold: number;
  readonly #openMs: number;
  readonly #now: () => number;
  readonly #onStateChange: CircuitBreakerOptions['onStateChange'];
  #state: BreakerState = 'closed';
  #failures = 0;
  #openedAt = 0;
  #probeOut = false;

  constructor(options: CircuitBreakerOptions = {}) {
    this.#threshold = Math.max(1, options.failureThreshold ?? DEFAULT_BREAKER.failureThreshold);
    this.#openMs = Math.max(0, options.openMs ?? DEFAULT_BREAKER.openMs);
    this.#now = options.now ?? (() => Date.now());
    this.#onStateChange = options.onStateChange;
  }

  /** The state as of now (an open breaker whose time is up reads as half-open). */
  get state(): BreakerState {
    if (this.#state === 'open' && this.#now() - this.#openedAt >= this.#openMs) return 'half-open';
    return this.#state;
  }

  /** Consecutive failures counted while closed. */
  get failures(): number {
    return this.#failures;
  }

  /** Milliseconds until a probe may go out (0 when calls may go now). */
  retryAfterMs(): number {
    if (this.#state === 'closed') return 0;
    if (this.#state === 'open') return Math.max(0, this.#openedAt + this.#openMs - this.#now());
    return this.#probeOut ? this.#openMs : 0;
  }

  /** Permission to call the upstream, or CircuitOpenError to fail fast. */
  acquire(): BreakerPermit {
    if (this.#state === 'open') {
      const waited = this.#now() - this.#openedAt;
      if (waited < this.#openMs) throw new CircuitOpenError(this.#openMs - waited);
      this.#transition('half-open');
    }
    if (this.#state === 'half-open') {
      if (this.#probeOut) throw new CircuitOpenError(this.#openMs);
      this.#probeOut = true;
      return this.#permit(true);
    }
    return this.#permit(false);
  }

  /** Run `call` under the breaker; `verdict` says how its outcome counts (default: resolved success, thrown failure). */
  async run<T>(call: () => Promise<T>, verdict?: (outcome: { error?: unknown }) => CallVerdict): Promise<T> {
    const permit = this.acquire();
    let result: T;
    try {
      result = await call();
    } catch (error) {
      permit.settle(verdict ? verdict({ error }) : 'failure');
      throw error;
    }
    permit.settle(verdict ? verdict({}) : 'success');
    return result;
  }

  #permit(probe: boolean): BreakerPermit {
    let settled = false;
    return {
      probe,
      settle: (verdict) => {
        if (settled) return;
        settled = true;
        this.#settle(probe, verdict);
      },
    };
  }

  #settle(probe: boolean, verdict: CallVerdict): void {
    if (probe) {
      this.#probeOut = false;
      if (verdict === 'success') this.#close();
      else if (verdict === 'failure') this.#open();
      // neutral: still half-open, the next call probes.
      return;
    }
    if (this.#state !== 'closed') {
      // A call that started before the breaker opened: its failure changes nothing, its success is good news.
      if (verdict === 'success' && this.#state === 'half-open' && !this.#probeOut) this.#close();
      return;
    }
    if (verdict === 'success') this.#failures = 0;
    else if (verdict === 'failure') {
      this.#failures += 1;
      if (this.#failures >= this.#threshold) this.#open();
    }
  }

  #open(): void {
    this.#openedAt = this.#now();
    this.#failures = 0;
    this.#transition('open');
  }

  #close(): void {
    this.#failures = 0;
    this.#transition('closed');
  }

  #transition(to: BreakerState): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    this.#onStateChange?.({ from, to });
  }
}
