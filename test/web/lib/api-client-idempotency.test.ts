import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { ApiError, IN_PROGRESS_RETRIES, api } from '../../../src/web/lib/api-client.ts';
import { fakeApi, json, problem } from '../fake-api.ts';

const inProgress = () =>
  problem(
    409,
    { type: '/problems/request-in-progress', title: 'This change is still being made', retryAfter: 1 },
    { 'retry-after': '0.01' },
  );
const Ok = z.object({ ok: z.boolean() });

describe('api client: idempotency keys', () => {
  it('sends the Idempotency-Key it is given, and none on reads', async () => {
    const fake = fakeApi({ 'POST /api/x': () => json({ ok: true }), 'GET /api/x': () => json({ ok: true }) });
    await api.post('/api/x', {}, Ok, { idempotencyKey: 'key-1' });
    await api.get('/api/x', Ok);
    expect(fake.requests[0]?.headers.get('idempotency-key')).toBe('key-1');
    expect(fake.requests[1]?.headers.get('idempotency-key')).toBeNull();
  });

  it('waits out "still in progress" and resends the same request until it has the answer', async () => {
    const fake = fakeApi({ 'PATCH /api/x': [inProgress, inProgress, () => json({ ok: true })] });
    expect(await api.patch('/api/x', { a: 1 }, Ok, { idempotencyKey: 'key-2' })).toEqual({ ok: true });
    expect(fake.requests).toHaveLength(3);
    expect(new Set(fake.requests.map((r) => r.headers.get('idempotency-key')))).toEqual(new Set(['key-2']));
  });

  it('gives up after a bounded number of waits, with the 409 as an ApiError', async () => {
    const fake = fakeApi({ 'POST /api/x': inProgress });
    const error: unknown = await api
      .post('/api/x', {}, Ok, { idempotencyKey: 'key-3' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, code: 'request-in-progress' });
    expect(fake.requests).toHaveLength(IN_PROGRESS_RETRIES + 1);
  });

  it('does not wait on a 409 that is not "in progress", nor on one sent without a key', async () => {
    const fake = fakeApi({
      'POST /api/dup': () => problem(409, { type: '/problems/duplicate-email', title: 'Taken' }),
      'POST /api/nokey': inProgress,
    });
    await expect(api.post('/api/dup', {}, Ok, { idempotencyKey: 'k' })).rejects.toMatchObject({
      status: 409,
    });
    await expect(api.post('/api/nokey', {}, Ok)).rejects.toMatchObject({ code: 'request-in-progress' });
    expect(fake.requests).toHaveLength(2);
  });
});
