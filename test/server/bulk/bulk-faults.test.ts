import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import type { BulkBatch } from '../../../src/contract/bulk.ts';
import { expectProblem } from '../../support/http.ts';
import { startStack } from '../../support/stack.ts';
import type { Stack } from '../../support/stack.ts';
import { expectExactlyOneInvitation } from '../reliability/reliability-support.ts';
import { batchOf, createBatch, readBatch, waitForBatch } from './bulk-support.ts';

/** A batch meets Avara's rate limit, its circuit breaker and answers whose outcome is unknown, and still ends well. */

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** Every state the batch was seen in while polling it to its end, and the batch at the end. */
async function followBatch(
  running: Stack,
  batchId: string,
  timeoutMs: number,
): Promise<{ seen: Set<string>; pausedUntil: string[]; batch: BulkBatch }> {
  const seen = new Set<string>();
  const pausedUntil: string[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const batch = await readBatch(running.client, batchId);
    seen.add(batch.state);
    if (batch.pausedUntil !== null) pausedUntil.push(batch.pausedUntil);
    if (batch.finishedAt !== null) return { seen, pausedUntil, batch };
    if (Date.now() > deadline) throw new Error(`The batch did not finish: ${JSON.stringify(batch.counts)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The invite POSTs the sandbox received: the e-mail, or null when a fault answered before the body was read. */
async function invitePosts(running: Stack): Promise<(string | null)[]> {
  return (await running.upstreamRequests())
    .filter((entry) => entry.method === 'POST' && entry.path === '/v1/viewer/users')
    .map((entry) => z.nullable(z.object({ email: z.string() })).parse(entry.body)?.email ?? null);
}

async function expectEachInvitedOnce(running: Stack, batch: BulkBatch): Promise<void> {
  expect(batch.counts.sent).toBe(batch.total);
  for (const row of batch.rows) {
    expect(row.state).toBe('sent');
    expect(row.userId).toBe(await expectExactlyOneInvitation(running, row.email ?? ''));
  }
}

describe('a bulk invite under pressure', () => {
  it('a storm of 429s pauses the batch until Retry-After, then it completes, each row once', async () => {
    stack = await startStack();
    await stack.faults.add({
      method: 'POST',
      path: '/v1/viewer/users',
      status: 429,
      retryAfter: '1',
      times: 12,
    });
    const started = Date.now();
    const batchId = await createBatch(stack.client, batchOf(15));
    const { seen, pausedUntil, batch } = await followBatch(stack, batchId, 30_000);
    expect(seen).toContain('paused');
    expect(pausedUntil.length).toBeGreaterThan(0);
    expect(Date.parse(pausedUntil[0] ?? '')).toBeGreaterThanOrEqual(started + 900);
    expect(batch.state).toBe('finished');
    expect(batch.pausedUntil).toBeNull();
    await expectEachInvitedOnce(stack, batch);
    // Refused at the door (429) is not an invite: each address was invited by exactly one answered POST.
    const posts = await invitePosts(stack);
    const accepted = posts.length - 12;
    expect(accepted).toBe(15);
  });

  it('while the circuit breaker is open the batch pauses until it may probe, then completes', async () => {
    stack = await startStack({ breaker: { failureThreshold: 2, openMs: 1_500 } });
    // Two failed reads open the breaker.
    await stack.faults.add({ method: 'GET', path: '/v1/viewer/users', status: 503, times: 3 });
    const read = await stack.client.get('/api/users');
    expect(read.status).toBeGreaterThanOrEqual(500);
    await stack.faults.clear();
    const batchId = await createBatch(stack.client, batchOf(5));
    const { seen, batch } = await followBatch(stack, batchId, 30_000);
    expect(seen).toContain('paused');
    await expectEachInvitedOnce(stack, batch);
    expect((await invitePosts(stack)).length).toBe(5);
    // The check passes an open breaker on as 503 with Retry-After, so the browser waits.
    await stack.faults.add({ method: 'GET', path: '/v1/viewer/users', status: 503, times: 3 });
    await stack.client.get('/api/users');
    const check = await stack.client.post('/api/invites/check', { emails: ['someone@hospital.example'] });
    expectProblem(check, 503, 'upstream-unavailable');
    expect(Number(check.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('sends at most UPSTREAM_MAX_CONCURRENT - 1 rows at once, leaving a slot for operators', async () => {
    stack = await startStack({ concurrency: { maxConcurrent: 3 } });
    await stack.faults.add({ method: 'POST', path: '/v1/viewer/users', latencyMs: 250, times: 100 });
    const batchId = await createBatch(stack.client, batchOf(8));
    const sending: number[] = [];
    const batch = await waitForBatch(stack.client, batchId, 20_000, (seen) => {
      sending.push(seen.counts.sending);
      return seen.finishedAt !== null;
    });
    expect(Math.max(...sending)).toBe(2);
    await expectEachInvitedOnce(stack, batch);
  });

  it('a cancel while rows are being refused with 429 cancels them too, and the batch ends', async () => {
    stack = await startStack();
    await stack.faults.add({
      method: 'POST',
      path: '/v1/viewer/users',
      status: 429,
      retryAfter: '1',
      latencyMs: 400,
      times: 100,
    });
    const batchId = await createBatch(stack.client, batchOf(10));
    await waitForBatch(stack.client, batchId, 10_000, (batch) => batch.counts.sending > 0);
    const cancelled = await stack.client.post(`/api/bulk-invites/${batchId}/cancel`);
    expect(cancelled.status, cancelled.text).toBe(200);
    const batch = await waitForBatch(stack.client, batchId, 10_000);
    expect(batch.state).toBe('cancelled');
    expect(batch.counts).toEqual({ waiting: 0, sending: 0, sent: 0, failed: 0, skipped: 0, cancelled: 10 });
    expect(batch.pausedUntil).toBeNull();
  });

  it('answers whose outcome is unknown are settled with the same key: each person invited once', async () => {
    stack = await startStack({ upstreamTimeoutMs: 500 });
    // Avara invites the person, then its answer never arrives in time (twice), or is a 502 after the fact.
    await stack.faults.add([
      { method: 'POST', path: '/v1/viewer/users', latencyMs: 1_000, afterHandling: true, times: 2 },
      { method: 'POST', path: '/v1/viewer/users', status: 502, afterHandling: true, times: 2 },
    ]);
    const batchId = await createBatch(stack.client, batchOf(6));
    const batch = await waitForBatch(stack.client, batchId, 30_000);
    await expectEachInvitedOnce(stack, batch);
    // Four rows' first send had an unknown outcome; their second run looked them up instead of inviting again.
    const posts = await invitePosts(stack);
    expect(posts.length).toBe(6);
    expect(new Set(posts).size).toBe(6);
  });

  it('a row whose outcome stays unknown fails after a few runs, with a message and a request id', async () => {
    stack = await startStack({ upstreamTimeoutMs: 300 });
    await stack.faults.add({ method: 'POST', path: '/v1/viewer/users', status: 500, times: 100 });
    const batchId = await createBatch(stack.client, batchOf(1));
    const batch = await waitForBatch(stack.client, batchId, 30_000);
    expect(batch.counts.failed).toBe(1);
    const row = batch.rows[0];
    expect(row?.state).toBe('failed');
    expect(row?.message).toMatch(/Avara is not available right now/);
    expect(row?.requestId).toMatch(/^[0-9a-f-]{36}$/);
    // Three runs of the same key: the first sent, the next two looked the address up first (and found no one).
    expect((await invitePosts(stack)).length).toBe(3);
  });
});
