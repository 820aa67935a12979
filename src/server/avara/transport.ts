import { Pool } from 'undici';
import type { Dispatcher } from 'undici';
import { AvaraErrorBodySchema } from '../../contract/avara-error.ts';
import type { AvaraErrorBody } from '../../contract/avara-error.ts';
import { DEFAULT_RETRY_POLICY, nextRetryDelay, retryAfterMs } from './retry.ts';
import type { RetryPolicy, RetryInput } from './retry.ts';
import { UpstreamError } from './upstream-error.ts';

/**
 * The one module that talks HTTP to Avara. It alone adds `Authorization: Bearer <key>`; it sends an allowlist of
 * headers and nothing else (never anything from the browser), bounds every attempt by a deadline, retries reads,
 * and turns every failure into an UpstreamError.
 */

export const USER_AGENT = 'viewer-admin/0.1.0';
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export interface AvaraTransportOptions {
  baseUrl: string;
  apiKey: string;
  /** Deadline of one attempt (headers and body). */
  timeoutMs: number;
  retry?: Partial<RetryPolicy> | undefined;
  /** Called before each retry (for logs: never carries upstream text). */
  onRetry?:
    | ((event: { method: string; path: string; attempt: number; delayMs: number; reason: string }) => void)
    | undefined;
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
}

type Attempt =
  | { ok: true; status: number; data: unknown }
  | { ok: false; error: UpstreamError; failure: RetryInput['failure'] };

export class AvaraTransport {
  readonly #pool: Pool;
  readonly #pathPrefix: string;
  readonly #apiKey: string;
  readonly #timeoutMs: number;
  readonly #retry: RetryPolicy;
  readonly #onRetry: AvaraTransportOptions['onRetry'];

  constructor(options: AvaraTransportOptions) {
    const base = new URL(options.baseUrl);
    this.#pathPrefix = base.pathname.replace(/\/+$/, '');
    this.#apiKey = options.apiKey;
    this.#timeoutMs = options.timeoutMs;
    this.#retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.#onRetry = options.onRetry;
    this.#pool = new Pool(base.origin, {
      connections: 16,
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
      const delayMs = nextRetryDelay({
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

  close(): Promise<void> {
    return this.#pool.close();
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

  async #attempt(call: UpstreamCall): Promise<Attempt> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.#timeoutMs);
    let response: Dispatcher.ResponseData | undefined;
    try {
      response = await this.#pool.request({
        method: call.method,
        path: `${this.#pathPrefix}${call.path}${call.query ?? ''}`,
        headers: this.#headers(call),
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal: controller.signal,
      });
      const text = await response.body.text();
      return this.#interpret(response, text);
    } catch (cause) {
      response?.body.destroy();
      if (controller.signal.aborted || isTimeout(cause)) {
        return {
          ok: false,
          error: new UpstreamError({ kind: 'timeout', cause }),
          failure: { kind: 'other' },
        };
      }
      if (errorCode(cause) === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') {
        return {
          ok: false,
          error: new UpstreamError({ kind: 'invalid-response', status: response?.statusCode, cause }),
          failure: { kind: 'other' },
        };
      }
      return {
        ok: false,
        error: new UpstreamError({ kind: 'connection', cause }),
        failure: { kind: 'connection' },
      };
    } finally {
      clearTimeout(timer);
    }
  }

  #interpret(response: Dispatcher.ResponseData, text: string): Attempt {
    const status = response.statusCode;
    const headers = response.headers;
    if (status >= 200 && status < 300) {
      const data = parseJson(text);
      if (data.ok) return { ok: true, status, data: data.value };
      return {
        ok: false,
        error: new UpstreamError({ kind: 'invalid-response', status }),
        failure: { kind: 'other' },
      };
    }
    const waitMs = retryAfterMs(headers);
    return {
      ok: false,
      error: new UpstreamError({
        kind: 'http',
        status,
        body: this.#errorBody(text),
        retryAfter: waitMs === undefined ? undefined : Math.ceil(waitMs / 1000),
      }),
      failure: { kind: 'http', status, headers },
    };
  }

  /** The error body, parsed defensively, with any occurrence of our own key removed before anything reads it. */
  #errorBody(text: string): AvaraErrorBody | undefined {
    const redacted = this.#apiKey === '' ? text : text.split(this.#apiKey).join('[redacted]');
    const json = parseJson(redacted);
    if (!json.ok) return undefined;
    const body = AvaraErrorBodySchema.safeParse(json.value);
    return body.success ? body.data : undefined;
  }
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
