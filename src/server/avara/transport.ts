import { Pool } from 'undici';
import type { Dispatcher } from 'undici';
import { AvaraErrorBodySchema } from '../../contract/avara-error.ts';
import { CircuitOpenError } from './circuit-breaker.ts';
import type { BreakerPermit, CallVerdict, CircuitBreaker } from './circuit-breaker.ts';
import { LimiterRejectedError } from './concurrency-limiter.ts';
import type { ConcurrencyLimiter } from './concurrency-limiter.ts';
import { KeyEcho } from './key-echo.ts';
import { DEFAULT_RETRY_POLICY, nextRetryDelay, retryAfterMs, retryAfterSeconds } from './retry.ts';
import type { RetryPolicy, RetryInput } from './retry.ts';
import { UpstreamError } from './upstream-error.ts';

/**
 * The one module that talks HTTP to Avara. It alone adds `Authorization: Bearer <key>`; it sends an allowlist of
 * headers and nothing else (never anything from the browser), bounds every attempt by a deadline (connect and
 * total), retries reads, and turns every failure into an UpstreamError. An answer that holds the key in any form,
 * success or error, is never used: it becomes an `echoed-key` error before anything reads it. Each attempt passes the circuit breaker
 * (fail fast while Avara is down) and the concurrency limit (a bounded number of requests at Avara at once).
 */

export const USER_AGENT = 'viewer-admin/0.1.0';
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export interface AvaraTransportOptions {
  baseUrl: string;
  apiKey: string;
  /** Deadline of one attempt (headers and body). */
  timeoutMs: number;
  retry?: Partial<RetryPolicy> | undefined;
  /** Fails attempts fast after repeated upstream failures (none: every attempt goes out). */
  breaker?: CircuitBreaker | undefined;
  /** Bounds the requests at Avara at once (none: unbounded but for the connection pool). */
  limiter?: ConcurrencyLimiter | undefined;
  /** Connections in the pool to Avara (default 16). */
  connections?: number | undefined;
  /** Called before each retry (for logs: never carries upstream text). */
  onRetry?:
    | ((event: { method: string; path: string; attempt: number; delayMs: number; reason: string }) => void)
    | undefined;
  /** Called once for each answer that held the key (for the log: names the call, never the key or the answer). */
  onEchoedKey?: ((event: { method: string; path: string; status: number }) => void) | undefined;
}

export interface UpstreamCall {
  method: 'GET' | 'POST' | 'PATCH';
  /** Path under the base URL, starting with /v1/, already encoded. */
  path: string;
  /** A query string starting with `?`, or ''. */
  query?: string | undefined;
  body?: unknown;
  requestId?: string | undefined;
  idempotencyKey?: string | undefined;
  /** This call's deadline per attempt, when shorter than the transport's (readiness checks). */
  timeoutMs?: number | undefined;
  /** Never retry this call, even a read (readiness checks). */
  noRetry?: boolean | undefined;
}

type Attempt =
  | { ok: true; status: number; data: unknown }
  | { ok: false; error: UpstreamError; failure: RetryInput['failure'] };

export class AvaraTransport {
  readonly #pool: Pool;
  readonly #pathPrefix: string;
  readonly #apiKey: string;
  readonly #keyEcho: KeyEcho;
  readonly #timeoutMs: number;
  readonly #retry: RetryPolicy;
  readonly #onRetry: AvaraTransportOptions['onRetry'];
  readonly #onEchoedKey: AvaraTransportOptions['onEchoedKey'];
  readonly #breaker: CircuitBreaker | undefined;
  readonly #limiter: ConcurrencyLimiter | undefined;

  constructor(options: AvaraTransportOptions) {
    const base = new URL(options.baseUrl);
    this.#pathPrefix = base.pathname.replace(/\/+$/, '');
    this.#apiKey = options.apiKey;
    this.#keyEcho = new KeyEcho(options.apiKey);
    this.#timeoutMs = options.timeoutMs;
    this.#retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.#onRetry = options.onRetry;
    this.#onEchoedKey = options.onEchoedKey;
    this.#breaker = options.breaker;
    this.#limiter = options.limiter;
    this.#pool = new Pool(base.origin, {
      connections: options.connections ?? 16,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connectTimeout: Math.min(options.timeoutMs, 10_000),
      maxResponseSize: MAX_RESPONSE_BYTES,
    });
  }

  /** Send one call (retrying reads as the policy allows); resolves to the parsed JSON of a 2xx answer. */
  async send(call: UpstreamCall): Promise<{ status: number; data: unknown }> {
    for (let retries = 0; ; retries += 1) {
      const attempt = await this.#attempt(call);
      if (attempt.ok) return { status: attempt.status, data: attempt.data };
      const delayMs =
        call.noRetry === true
          ? undefined
          : nextRetryDelay({
              method: call.method,
              retriesSoFar: retries,
              failure: attempt.failure,
              policy: this.#retry,
            });
      if (delayMs === undefined)
        throw retries === 0 ? attempt.error : attempt.error.withAttempts(retries + 1);
      this.#onRetry?.({
        method: call.method,
        path: call.path,
        attempt: retries + 1,
        delayMs,
        reason: attempt.error.message,
      });
      await sleep(delayMs);
    }
  }

  /**
   * Called when the app closes, after its connections have ended (or were cut at the end of the shutdown grace
   * period): any upstream request still running serves nobody any more, so it is aborted rather than awaited.
   */
  close(): Promise<void> {
    return this.#pool.destroy();
  }

  /** The allowlist: these headers and no others go upstream. The Bearer header is added here and nowhere else. */
  #headers(call: UpstreamCall): Record<string, string> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': USER_AGENT,
      authorization: `Bearer ${this.#apiKey}`,
    };
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    if (call.idempotencyKey !== undefined) headers['idempotency-key'] = call.idempotencyKey;
    if (call.requestId !== undefined) headers['x-request-id'] = call.requestId;
    return headers;
  }

  /** One attempt through the breaker and the concurrency limit. */
  async #attempt(call: UpstreamCall): Promise<Attempt> {
    let permit: BreakerPermit | undefined;
    try {
      permit = this.#breaker?.acquire();
    } catch (error) {
      if (!(error instanceof CircuitOpenError)) throw error;
      const retryAfter = Math.max(1, Math.ceil(error.retryAfterMs / 1000));
      return {
        ok: false,
        error: new UpstreamError({ kind: 'circuit-open', retryAfter, notSent: true, cause: error }),
        failure: { kind: 'other' },
      };
    }
    let attempt: Attempt;
    try {
      attempt = this.#limiter
        ? await this.#limiter.run(() => this.#request(call))
        : await this.#request(call);
    } catch (error) {
      permit?.settle('neutral');
      if (!(error instanceof LimiterRejectedError)) throw error;
      return {
        ok: false,
        error: new UpstreamError({ kind: 'overloaded', retryAfter: 1, notSent: true, cause: error }),
        failure: { kind: 'other' },
      };
    }
    permit?.settle(verdictOf(attempt));
    return attempt;
  }

  async #request(call: UpstreamCall): Promise<Attempt> {
    const exchange = new TextExchange();
    // The attempt's deadline covers the headers and the whole body.
    const timer = setTimeout(() => exchange.timeOut(), call.timeoutMs ?? this.#timeoutMs);
    try {
      this.#pool.dispatch(
        {
          method: call.method,
          path: `${this.#pathPrefix}${call.path}${call.query ?? ''}`,
          headers: this.#headers(call),
          body: call.body === undefined ? undefined : JSON.stringify(call.body),
        },
        exchange,
      );
      const text = await exchange.text;
      const attempt = this.#interpret(exchange.status, exchange.headers, text);
      if (!attempt.ok && attempt.error.kind === 'echoed-key')
        this.#onEchoedKey?.({ method: call.method, path: call.path, status: exchange.status });
      return attempt;
    } catch (cause) {
      const notSent = neverConnected(cause);
      if (exchange.timedOut || isTimeout(cause)) {
        return {
          ok: false,
          error: new UpstreamError({ kind: 'timeout', notSent, cause }),
          failure: { kind: 'other' },
        };
      }
      if (errorCode(cause) === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') {
        return {
          ok: false,
          error: new UpstreamError({ kind: 'invalid-response', status: exchange.status, cause }),
          failure: { kind: 'other' },
        };
      }
      return {
        ok: false,
        error: new UpstreamError({ kind: 'connection', notSent, cause }),
        failure: { kind: 'connection' },
      };
    } finally {
      clearTimeout(timer);
    }
  }

  #interpret(status: number, headers: ResponseHeaders, text: string): Attempt {
    const json = parseJson(text);
    if (this.#keyEcho.inAnswer(text, json.ok ? json : undefined)) {
      // Not passed on, not stored, not retried: whatever Avara did, this answer cannot tell us.
      return {
        ok: false,
        error: new UpstreamError({ kind: 'echoed-key', status }),
        failure: { kind: 'other' },
      };
    }
    if (status >= 200 && status < 300) {
      if (json.ok) return { ok: true, status, data: json.value };
      return {
        ok: false,
        error: new UpstreamError({ kind: 'invalid-response', status }),
        failure: { kind: 'other' },
      };
    }
    const waitMs = retryAfterMs(headers);
    const body = json.ok ? AvaraErrorBodySchema.safeParse(json.value) : undefined;
    return {
      ok: false,
      error: new UpstreamError({
        kind: 'http',
        status,
        body: body?.success === true ? body.data : undefined,
        retryAfter: waitMs === undefined ? undefined : retryAfterSeconds(waitMs / 1000),
      }),
      failure: { kind: 'http', status, headers },
    };
  }
}

/** How an attempt counts for the breaker: Avara answering at all (even 4xx) is healthy; a 429 says nothing. */
function verdictOf(attempt: Attempt): CallVerdict {
  if (attempt.ok) return 'success';
  const { kind, status } = attempt.error;
  // An answer holding the key is still an answer: Avara is up.
  if ((kind === 'http' || kind === 'echoed-key') && status !== undefined) {
    if (status === 429) return 'neutral';
    return status >= 500 || status === 408 ? 'failure' : 'success';
  }
  return 'failure';
}

/** Error codes that mean no connection was ever made, so the request cannot have reached Avara. */
const NOT_CONNECTED: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function neverConnected(error: unknown): boolean {
  let cause: unknown = error;
  for (let depth = 0; depth < 5 && typeof cause === 'object' && cause !== null; depth += 1) {
    const code = errorCode(cause);
    if (code !== undefined && NOT_CONNECTED.has(code)) return true;
    if (cause instanceof AggregateError) return cause.errors.some(neverConnected);
    cause = 'cause' in cause ? cause.cause : undefined;
  }
  return false;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    const value: unknown = JSON.parse(text);
    return { ok: true, value };
  } catch {
    return { ok: false };
  }
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

function isTimeout(error: unknown): boolean {
  const code = errorCode(error);
  return (
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

type ResponseHeaders = Dispatcher.ResponseData['headers'];

/**
 * One exchange with Avara through undici's dispatch API: the answer's status, headers and body as text, collected
 * straight from the socket's chunks. (`pool.request()` builds a Readable stream, an AbortController listener and an
 * async resource for every response only for `.text()` to read them back; this is the same exchange without them.)
 * `timeOut()` aborts it at any point, also before it has a connection.
 */
class TextExchange implements Dispatcher.DispatchHandler {
  status = 0;
  headers: ResponseHeaders = {};
  timedOut = false;
  /** The whole body as UTF-8 text (a byte-order mark dropped, as undici's `.text()` does); rejects on any failure. */
  readonly text: Promise<string>;
  #resolve!: (text: string) => void;
  #reject!: (error: Error) => void;
  #controller: Dispatcher.DispatchController | undefined;
  #chunks: Buffer[] = [];
  #length = 0;

  constructor() {
    this.text = new Promise<string>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  timeOut(): void {
    this.timedOut = true;
    // Without a controller yet, onRequestStart aborts as soon as the request is given a connection.
    this.#controller?.abort(timeoutError());
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.timedOut) controller.abort(timeoutError());
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: ResponseHeaders,
  ): void {
    // 1xx interim answers are followed by the real one.
    if (statusCode < 200) return;
    this.status = statusCode;
    this.headers = headers;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }

  onResponseEnd(): void {
    const chunks = this.#chunks;
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, this.#length);
    if (body === undefined || body.length === 0) return this.#resolve('');
    const bom = body.length > 2 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf;
    this.#resolve(body.toString('utf8', bom ? 3 : 0));
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    this.#reject(error);
  }
}

function timeoutError(): Error {
  return new DOMException('Avara did not answer within the deadline.', 'TimeoutError');
}
