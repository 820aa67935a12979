import type * as z from 'zod/mini';
import { ProblemSchema, problemCodeOf } from '../../contract/problem.ts';
import type { Problem, ProblemCode } from '../../contract/problem.ts';

/**
 * The one error every /api call throws: the HTTP status (0 when the dashboard server could not be reached at all)
 * and the problem details body. A body that is not problem details becomes a generic problem, so callers only ever
 * handle one shape. No toasts or redirects here: the screens decide what to show.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(status: number, problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }

  /** The id the dashboard server gave this request: what an operator quotes when asking for help. */
  get requestId(): string | undefined {
    return this.problem.requestId;
  }

  /** The problem code (`duplicate-email`, `upstream-timeout`, ...) when the type is one of ours. */
  get code(): ProblemCode | undefined {
    return problemCodeOf(this.problem);
  }
}

/** The problem type used when the dashboard server could not be reached (no HTTP answer at all). */
export const NETWORK_PROBLEM_TYPE = '/problems/network';

function genericProblem(status: number, title: string): Problem {
  return { type: 'about:blank', title, status };
}

async function problemFrom(response: Response): Promise<Problem> {
  const text = await response.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const parsed = ProblemSchema.safeParse(body);
  const problem = parsed.success
    ? parsed.data
    : genericProblem(
        response.status,
        `The dashboard server answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`,
      );
  // Every answer of the dashboard server carries its request id as a header, whatever its body says.
  const header = response.headers.get('x-request-id');
  if (problem.requestId === undefined && header !== null && header !== '') problem.requestId = header;
  return problem;
}

type RequestOptions = {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
  /** Sent as `Idempotency-Key` (every change needs one: see lib/idempotency.ts for where keys come from). */
  idempotencyKey?: string;
  /** What the answer should be (JSON unless said otherwise). */
  accept?: string;
};

/** How often a change whose first request is still running ("request-in-progress", 409) is asked about again. */
export const IN_PROGRESS_RETRIES = 30;
const IN_PROGRESS_MAX_WAIT_MS = 5_000;

/** Seconds the server asked us to wait: the Retry-After header, else the problem's retryAfter, else 1. */
function waitMs(response: Response, problem: Problem): number {
  const header = Number(response.headers.get('retry-after'));
  const seconds = Number.isFinite(header) && header > 0 ? header : (problem.retryAfter ?? 1);
  return Math.min(Math.max(seconds, 0.01) * 1000, IN_PROGRESS_MAX_WAIT_MS);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/**
 * The one way to the BFF (same origin): every call carries `X-CSRF: 1`; bodies are sent as JSON. Anything but a
 * success answer throws an ApiError. A change sent with an Idempotency-Key whose first request is still running
 * (409 request-in-progress) is asked about again after the Retry-After the server gives (a bounded number of times):
 * the answer then is the first request's.
 */
async function send(path: string, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: options.accept ?? 'application/json', 'X-CSRF': '1' };
  const init: RequestInit = { method: options.method ?? 'GET', headers, credentials: 'same-origin' };
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  if (options.signal) init.signal = options.signal;
  if (options.idempotencyKey !== undefined) headers['Idempotency-Key'] = options.idempotencyKey;

  let response: Response;
  for (let retries = 0; ; retries += 1) {
    try {
      response = await fetch(path, init);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new ApiError(0, {
        type: NETWORK_PROBLEM_TYPE,
        title: 'The dashboard server could not be reached.',
        status: 0,
        detail: 'Check the network connection, then try again.',
      });
    }
    if (response.ok) break;
    const problem = await problemFrom(response);
    const inProgress = response.status === 409 && problemCodeOf(problem) === 'request-in-progress';
    if (!inProgress || options.idempotencyKey === undefined || retries >= IN_PROGRESS_RETRIES) {
      throw new ApiError(response.status, problem);
    }
    await sleep(waitMs(response, problem), options.signal);
  }
  return response;
}

/** Call the BFF and parse the success body with the contract schema. */
export async function apiRequest<Schema extends z.ZodMiniType>(
  path: string,
  schema: Schema,
  options: RequestOptions = {},
): Promise<z.output<Schema>> {
  const response = await send(path, options);
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const problem = genericProblem(
      response.status,
      'The dashboard server sent an answer this page does not understand.',
    );
    const requestId = response.headers.get('x-request-id');
    if (requestId !== null && requestId !== '') problem.requestId = requestId;
    throw new ApiError(response.status, problem);
  }
  return parsed.data;
}

/** A file the BFF serves (an export): its content, and the name the server gave it, if any. */
export async function apiFile(
  path: string,
  accept: string,
  signal?: AbortSignal,
): Promise<{ blob: Blob; fileName: string | undefined }> {
  const response = await send(path, signal ? { accept, signal } : { accept });
  const fileName = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1];
  return { blob: await response.blob(), fileName };
}

export const api = {
  get: <Schema extends z.ZodMiniType>(path: string, schema: Schema, signal?: AbortSignal) =>
    apiRequest(path, schema, signal ? { signal } : {}),
  post: <Schema extends z.ZodMiniType>(
    path: string,
    body: unknown,
    schema: Schema,
    options: Pick<RequestOptions, 'idempotencyKey'> = {},
  ) => apiRequest(path, schema, { ...options, method: 'POST', body }),
  patch: <Schema extends z.ZodMiniType>(
    path: string,
    body: unknown,
    schema: Schema,
    options: Pick<RequestOptions, 'idempotencyKey'> = {},
  ) => apiRequest(path, schema, { ...options, method: 'PATCH', body }),
};
