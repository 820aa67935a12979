import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { ModeSchema } from '../../../src/contract/mode.ts';
import { ApiError, NETWORK_PROBLEM_TYPE, api } from '../../../src/web/lib/api-client.ts';
import { fakeApi, json, problem } from '../fake-api.ts';

async function caught(promise: Promise<unknown>): Promise<ApiError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(error)}`);
  return error;
}

describe('api client', () => {
  it('sends X-CSRF, Accept and a JSON body, and parses the answer with the schema', async () => {
    const fake = fakeApi({ 'POST /api/echo': (r) => json({ mode: 'live', echoed: r.body }) });
    const data = await api.post('/api/echo', { hello: 'world' }, ModeSchema);
    expect(data).toEqual({ mode: 'live' });
    const [sent] = fake.requests;
    expect(sent?.headers.get('x-csrf')).toBe('1');
    expect(sent?.headers.get('accept')).toBe('application/json');
    expect(sent?.headers.get('content-type')).toBe('application/json');
    expect(sent?.body).toEqual({ hello: 'world' });
  });

  it('sends no body and no content type on a GET', async () => {
    const fake = fakeApi({ 'GET /api/mode': () => json({ mode: 'sandbox' }) });
    await api.get('/api/mode', ModeSchema);
    expect(fake.requests[0]?.headers.get('content-type')).toBeNull();
    expect(fake.requests[0]?.body).toBeUndefined();
    expect(fake.requests[0]?.headers.get('x-csrf')).toBe('1');
  });

  it('throws one ApiError carrying the problem details', async () => {
    fakeApi({
      'POST /api/users': () =>
        problem(409, {
          type: '/problems/duplicate-email',
          title: 'Already in use.',
          errors: [{ path: 'email', message: 'Taken.' }],
          requestId: 'req-1',
        }),
    });
    const error = await caught(api.post('/api/users', {}, ModeSchema));
    expect(error.status).toBe(409);
    expect(error.code).toBe('duplicate-email');
    expect(error.problem.errors).toEqual([{ path: 'email', message: 'Taken.' }]);
    expect(error.problem.requestId).toBe('req-1');
  });

  it('turns a body that is not problem details into a generic problem', async () => {
    fakeApi({
      'GET /api/mode': () => new Response('<h1>Bad Gateway</h1>', { status: 502, statusText: 'Bad Gateway' }),
    });
    const error = await caught(api.get('/api/mode', ModeSchema));
    expect(error.status).toBe(502);
    expect(error.code).toBeUndefined();
    expect(error.problem).toMatchObject({ type: 'about:blank', status: 502 });
    expect(error.problem.title).toContain('502');
  });

  it('carries the request id to quote: from the problem, else from the X-Request-Id header', async () => {
    fakeApi({
      'GET /api/one': () =>
        problem(503, { type: '/problems/upstream-unavailable', title: 'Down', requestId: 'req-body' }),
      'GET /api/two': () =>
        new Response('<html>Bad gateway</html>', { status: 502, headers: { 'x-request-id': 'req-header' } }),
      'GET /api/three': () => json({ unexpected: true }, 200, { 'x-request-id': 'req-odd' }),
      'GET /api/four': () => new Response('', { status: 500 }),
    });
    expect((await caught(api.get('/api/one', ModeSchema))).requestId).toBe('req-body');
    expect((await caught(api.get('/api/two', ModeSchema))).requestId).toBe('req-header');
    expect((await caught(api.get('/api/three', ModeSchema))).requestId).toBe('req-odd');
    expect((await caught(api.get('/api/four', ModeSchema))).requestId).toBeUndefined();
  });

  it('reports a network failure as status 0', async () => {
    fakeApi({ 'GET /api/mode': () => Promise.reject(new TypeError('Failed to fetch')) });
    const error = await caught(api.get('/api/mode', ModeSchema));
    expect(error.status).toBe(0);
    expect(error.problem.type).toBe(NETWORK_PROBLEM_TYPE);
  });

  it('refuses a success body that does not match the contract', async () => {
    fakeApi({ 'GET /api/mode': () => json({ mode: 'staging' }) });
    const error = await caught(api.get('/api/mode', ModeSchema));
    expect(error.status).toBe(200);
    expect(error.problem.title).toMatch(/does not understand/);
  });

  it('lets an abort through untouched', async () => {
    const controller = new AbortController();
    fakeApi({
      'GET /api/slow': () => {
        controller.abort();
        return Promise.reject(new DOMException('Aborted', 'AbortError'));
      },
    });
    const outcome: unknown = await api
      .get('/api/slow', z.unknown(), controller.signal)
      .catch((e: unknown) => e);
    expect(outcome).toBeInstanceOf(DOMException);
  });
});
