import { request } from 'undici';
import type { Dispatcher } from 'undici';
import { expect } from 'vitest';
import { ProblemSchema } from '../../src/contract/problem.ts';
import type { Problem, ProblemCode } from '../../src/contract/problem.ts';
import { problemType } from '../../src/contract/problem.ts';

/** A small HTTP client for server tests: real requests, the answer read whole. */

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  text: string;
  json(): unknown;
}

export interface HttpOptions {
  /** Sent as JSON (content-type application/json) unless `rawBody` is given. */
  body?: unknown;
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
  /**
   * Signed-in clients only: the Idempotency-Key of a change to users or invitations (default: a fresh one per
   * request, as the web app sends; `false`: none, to test that it is required).
   */
  idempotencyKey?: string | false;
  /** Another dispatcher than undici's global one (a TLS agent trusting a test certificate). */
  dispatcher?: Dispatcher | undefined;
}

export async function http(
  baseUrl: string,
  method: Dispatcher.HttpMethod,
  path: string,
  options: HttpOptions = {},
): Promise<HttpAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | Buffer | undefined = options.rawBody;
  if (body === undefined && options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await request(`${baseUrl}${path}`, {
    method,
    headers,
    body,
    dispatcher: options.dispatcher,
  });
  const text = await response.body.text();
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    status: response.statusCode,
    headers: flat,
    text,
    json: () => {
      const value: unknown = JSON.parse(text);
      return value;
    },
  };
}

/** Assert a problem-details answer with this status and code (and a request id that matches the header). */
export function expectProblem(answer: HttpAnswer, status: number, code: ProblemCode): Problem {
  expect(answer.status, answer.text).toBe(status);
  expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = ProblemSchema.parse(answer.json());
  expect(problem.type).toBe(problemType(code));
  expect(problem.status).toBe(status);
  expect(problem.title.length).toBeGreaterThan(0);
  expect(problem.requestId).toBeDefined();
  expect(problem.requestId).toBe(answer.headers['x-request-id']);
  return problem;
}
