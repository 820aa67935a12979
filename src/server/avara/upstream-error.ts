import type { AvaraErrorBody } from '../../contract/avara-error.ts';

/**
 * What went wrong talking to Avara: an error status, no answer in time, no connection, an answer we cannot read, an
 * answer that holds our own API key (in any form: see key-echo.ts), or (without asking Avara at all) the circuit
 * breaker is open or too many requests are already waiting for Avara.
 */
export type UpstreamErrorKind =
  'http' | 'timeout' | 'connection' | 'invalid-response' | 'echoed-key' | 'circuit-open' | 'overloaded';

export interface UpstreamErrorInit {
  kind: UpstreamErrorKind;
  /** The upstream HTTP status, when there was one. */
  status?: number | undefined;
  /** The upstream error body, parsed defensively (with the API key redacted); never sent on verbatim. */
  body?: AvaraErrorBody | undefined;
  /** Seconds the upstream asked us to wait (Retry-After / retry-after-ms), when it said. */
  retryAfter?: number | undefined;
  /** How many attempts were made (1 + retries). */
  attempts?: number | undefined;
  /** The request certainly never reached Avara (no connection could be made, or it was never sent). */
  notSent?: boolean | undefined;
  cause?: unknown;
}

/**
 * The one typed error of the upstream client. The parsed body is kept non-enumerable, so a logger that serialises the
 * error (pino copies enumerable properties) can never write upstream text, which may echo request headers, to a log.
 */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  readonly kind: UpstreamErrorKind;
  readonly status: number | undefined;
  readonly retryAfter: number | undefined;
  readonly attempts: number;
  readonly notSent: boolean;
  declare readonly body: AvaraErrorBody | undefined;

  constructor(init: UpstreamErrorInit) {
    super(describe(init), init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.status = init.status;
    this.retryAfter = init.retryAfter;
    this.attempts = init.attempts ?? 1;
    this.notSent = init.notSent ?? false;
    Object.defineProperty(this, 'body', { value: init.body, enumerable: false });
    if (init.cause !== undefined)
      Object.defineProperty(this, 'cause', { value: init.cause, enumerable: false });
  }

  /** A copy that records how many attempts were made in total. */
  withAttempts(attempts: number): UpstreamError {
    return new UpstreamError({
      kind: this.kind,
      status: this.status,
      body: this.body,
      retryAfter: this.retryAfter,
      attempts,
      notSent: this.notSent,
      cause: this.cause,
    });
  }
}

function describe(init: UpstreamErrorInit): string {
  switch (init.kind) {
    case 'http':
      return `Avara answered with status ${init.status ?? 'unknown'}`;
    case 'timeout':
      return 'Avara did not answer in time';
    case 'connection':
      return 'Could not connect to Avara, or the connection dropped';
    case 'invalid-response':
      return `Avara sent an answer that could not be read${init.status === undefined ? '' : ` (status ${init.status})`}`;
    case 'echoed-key':
      return `Avara's answer${init.status === undefined ? '' : ` (status ${init.status})`} held the API key: it was not used`;
    case 'circuit-open':
      return 'Avara is not responding: calls fail fast until a probe succeeds';
    case 'overloaded':
      return 'Too many requests are waiting for Avara';
  }
}
