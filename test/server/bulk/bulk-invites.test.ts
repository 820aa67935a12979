import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { AuditPageSchema } from '../../../src/contract/audit.ts';
import {
  BULK_MAX_ROWS,
  BulkBatchListSchema,
  BulkBatchSummarySchema,
  BulkRowSchema,
  INVITE_CHECK_MAX,
} from '../../../src/contract/bulk.ts';
import type { CreateBulkInviteInput } from '../../../src/contract/bulk.ts';
import { expectProblem } from '../../support/http.ts';
import { newPerson } from '../../support/people.ts';
import { TEST_OPERATOR } from '../../support/session.ts';
import { startStack } from '../../support/stack.ts';
import type { Stack } from '../../support/stack.ts';
import { expectExactlyOneInvitation, inviteAudit } from '../reliability/reliability-support.ts';
import {
  COLUMNS,
  batchOf,
  createBatch,
  inviteRow,
  readBatch,
  skipRow,
  waitForBatch,
} from './bulk-support.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
});

/** The invite POSTs the sandbox received, by e-mail. */
async function invitePostsByEmail(): Promise<Map<string, number>> {
  const posts = new Map<string, number>();
  for (const entry of await stack.upstreamRequests()) {
    if (entry.method !== 'POST' || entry.path !== '/v1/viewer/users') continue;
    const email = z.object({ email: z.string() }).parse(entry.body).email;
    posts.set(email, (posts.get(email) ?? 0) + 1);
  }
  return posts;
}

describe('a bulk invite batch', () => {
  it('invites every row once, skips the skipped ones, and reports rows, counts and versions', async () => {
    await stack.clearUpstreamRequests();
    const body = batchOf(27, 3);
    const created = await stack.client.post('/api/bulk-invites', body);
    expect(created.status, created.text).toBe(201);
    const summary = BulkBatchSummarySchema.parse(created.json());
    expect(created.headers.location).toBe(`/api/bulk-invites/${summary.batchId}`);
    expect(summary.total).toBe(30);
    expect(summary.createdBy.email).toBe(TEST_OPERATOR.email);
    expect(summary.counts.skipped).toBe(3);

    const batch = await waitForBatch(stack.client, summary.batchId);
    expect(batch.state).toBe('finished');
    expect(batch.counts).toEqual({ waiting: 0, sending: 0, sent: 27, failed: 0, skipped: 3, cancelled: 0 });
    expect(batch.rows).toHaveLength(30);
    expect(batch.columns).toEqual(COLUMNS);
    for (const [index, row] of batch.rows.entries()) {
      const input = body.rows[index];
      expect(row.index).toBe(index);
      expect(row.line).toBe(input?.line);
      expect(row.cells).toEqual(input?.cells);
      if (input?.invite) {
        expect(row.state).toBe('sent');
        expect(row.email).toBe(input.invite.email);
        expect(row.userId).toMatch(/^usr_[0-9a-f]{32}$/);
        expect(row.requestId).toMatch(/^[0-9a-f-]{36}$/);
      } else {
        expect(row.state).toBe('skipped');
        expect(row.userId).toBe(input?.skip?.userId);
        expect(row.message).toBe(input?.skip?.message);
        expect(row.invite).toBeNull();
      }
      expect(row.version).toBeLessThanOrEqual(batch.version);
    }

    // Each e-mail reached Avara exactly once, and Avara holds exactly one person and one invitation for it.
    const posts = await invitePostsByEmail();
    const emails = body.rows.flatMap((row) => (row.invite ? [row.invite.email] : []));
    expect([...posts.keys()].sort()).toEqual([...emails].sort());
    expect([...posts.values()].every((count) => count === 1)).toBe(true);
    const userIds = await Promise.all(emails.map((email) => expectExactlyOneInvitation(stack, email)));
    expect(userIds).toEqual(batch.rows.filter((row) => row.state === 'sent').map((row) => row.userId));

    // Nothing changed since the last version; every row changed since the first.
    const none = await readBatch(stack.client, summary.batchId, batch.version);
    expect(none.rows).toEqual([]);
    expect(none.version).toBe(batch.version);
    const all = await readBatch(stack.client, summary.batchId, 0);
    expect(all.rows).toHaveLength(30);
    const some = await readBatch(stack.client, summary.batchId, summary.version);
    expect(some.rows.map((row) => row.index)).toEqual(
      batch.rows.filter((row) => row.state === 'sent').map((row) => row.index),
    );

    // One invite record per row (action as the single invite's, by the batch's creator) and one for the batch.
    for (const email of emails.slice(0, 3)) {
      const records = await inviteAudit(stack.client, email);
      expect(records).toHaveLength(1);
      expect(records[0]?.outcome).toBe('success');
      expect(records[0]?.operatorId).toBe(summary.createdBy.operatorId);
    }
    const audit = await stack.client.get('/api/audit?action=bulk.invite&limit=100');
    expect(audit.status, audit.text).toBe(200);
    const records = AuditPageSchema.parse(audit.json()).records.filter((record) =>
      record.detail?.includes(summary.batchId),
    );
    expect(records).toHaveLength(1);
    expect(records[0]?.outcome).toBe('success');
    expect(records[0]?.operatorId).toBe(summary.createdBy.operatorId);
    expect(records[0]?.detail).toBe(
      `Batch ${summary.batchId}: 30 rows, 27 sent, 3 skipped, 0 failed, 0 cancelled.`,
    );
  });

  it('replays a creation retried with the same Idempotency-Key: one batch, the same address', async () => {
    const body = batchOf(2);
    const key = 'bulk-replay-key-1';
    const first = await stack.client.post('/api/bulk-invites', body, { idempotencyKey: key });
    const second = await stack.client.post('/api/bulk-invites', body, { idempotencyKey: key });
    expect(first.status, first.text).toBe(201);
    expect(second.status, second.text).toBe(201);
    expect(second.headers['idempotency-replayed']).toBe('true');
    expect(second.headers.location).toBe(first.headers.location);
    const batchId = BulkBatchSummarySchema.parse(first.json()).batchId;
    await waitForBatch(stack.client, batchId);
    const list = BulkBatchListSchema.parse((await stack.client.get('/api/bulk-invites')).json());
    expect(list.batches.filter((batch) => batch.batchId === batchId)).toHaveLength(1);
    const missing = await stack.client.post('/api/bulk-invites', body, { idempotencyKey: false });
    expectProblem(missing, 400, 'validation');
  });

  it('lists the recent batches newest first, with who ran each and when', async () => {
    const older = await createBatch(stack.client, batchOf(1));
    const newer = await createBatch(stack.client, batchOf(1));
    const answer = await stack.client.get('/api/bulk-invites');
    expect(answer.status, answer.text).toBe(200);
    const { batches } = BulkBatchListSchema.parse(answer.json());
    expect(batches.length).toBeLessThanOrEqual(20);
    expect(batches[0]?.batchId).toBe(newer);
    expect(batches[1]?.batchId).toBe(older);
    expect(batches[0]?.createdBy.displayName.length).toBeGreaterThan(0);
    expect(Date.parse(batches[0]?.createdAt ?? '')).not.toBeNaN();
    for (const batchId of [older, newer]) await waitForBatch(stack.client, batchId);
  });

  it('answers an unknown or malformed batch id like any address with nothing at it', async () => {
    expectProblem(await stack.client.get(`/api/bulk-invites/bat_${'0'.repeat(32)}`), 404, 'not-found');
    expectProblem(
      await stack.client.post(`/api/bulk-invites/bat_${'0'.repeat(32)}/cancel`),
      404,
      'not-found',
    );
    expectProblem(
      await stack.client.post(`/api/bulk-invites/bat_${'0'.repeat(32)}/rows/0/retry`, {
        invite: newPerson(),
      }),
      404,
      'not-found',
    );
    const bad = expectProblem(await stack.client.get('/api/bulk-invites/not-a-batch'), 400, 'validation');
    expect(bad.errors?.[0]?.path).toBe('batchId');
    const since = expectProblem(
      await stack.client.get(`/api/bulk-invites/bat_${'0'.repeat(32)}?since=-1`),
      400,
      'validation',
    );
    expect(since.errors?.[0]?.path).toBe('since');
  });
});

describe('addresses of batches, as an attacker spells them', () => {
  it('any batch id, row index or since is a 400 naming it or a 404 revealing nothing, never sent upstream', async () => {
    const batchId = await createBatch(stack.client, batchOf(1));
    await waitForBatch(stack.client, batchId);
    await stack.clearUpstreamRequests();
    const segment = fc.oneof(
      fc.string({ minLength: 1, maxLength: 40 }),
      fc.stringMatching(/^bat_[0-9a-fA-F]{30,34}$/),
      fc.constantFrom(`${batchId}x`, batchId.toUpperCase(), ` ${batchId}`, `${batchId}/`, '..', '%00'),
    );
    await fc.assert(
      fc.asyncProperty(segment, fc.string({ maxLength: 12 }), async (raw, index) => {
        const id = encodeURIComponent(raw);
        for (const answer of [
          await stack.client.get(`/api/bulk-invites/${id}`),
          await stack.client.get(`/api/bulk-invites/${batchId}?since=${encodeURIComponent(index)}`),
          await stack.client.post(`/api/bulk-invites/${id}/cancel`),
          await stack.client.post(`/api/bulk-invites/${batchId}/rows/${encodeURIComponent(index)}/retry`, {
            invite: newPerson(),
          }),
        ]) {
          expect([200, 400, 404, 409], answer.text).toContain(answer.status);
          if (answer.status === 200) continue;
          expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
          expect(answer.text).not.toContain('"rows"');
        }
      }),
      { numRuns: 40 },
    );
    expect(await stack.upstreamRequests()).toEqual([]);
  });
});

describe('what a batch refuses (400 naming the problem, nothing sent)', () => {
  const refuse = async (body: unknown, path: string, message: RegExp) => {
    await stack.clearUpstreamRequests();
    const problem = expectProblem(await stack.client.post('/api/bulk-invites', body), 400, 'validation');
    const error = problem.errors?.find((candidate) => candidate.path === path);
    expect(error, JSON.stringify(problem.errors)).toBeDefined();
    expect(error?.message).toMatch(message);
    expect(await stack.upstreamRequests()).toEqual([]);
  };

  it('more rows than the limit', async () => {
    const rows = Array.from({ length: BULK_MAX_ROWS + 1 }, (_, index) => skipRow(index + 2));
    rows[0] = inviteRow(2);
    await refuse({ columns: COLUMNS, rows }, 'rows', /at most 1000 rows/);
  });

  it('the same e-mail twice', async () => {
    const person = newPerson();
    await refuse(
      { columns: COLUMNS, rows: [inviteRow(2, person), inviteRow(3, { ...person, firstName: 'Other' })] },
      'rows.1.invite.email',
      /also on line 2/,
    );
  });

  it('an invite that breaks the single invite contract', async () => {
    const body: CreateBulkInviteInput = {
      columns: COLUMNS,
      rows: [inviteRow(2, newPerson({ level: 'admin', hasDashboardAccess: false }))],
    };
    await refuse(body, 'rows.0.invite.hasDashboardAccess', /dashboard/i);
  });

  it('a bad userId on a skipped row, or a skip without a reason', async () => {
    const bad = skipRow(3);
    await refuse(
      { columns: COLUMNS, rows: [inviteRow(2), { ...bad, skip: { ...bad.skip, userId: 'usr_nope' } }] },
      'rows.1.skip.userId',
      /.+/,
    );
    await refuse(
      { columns: COLUMNS, rows: [inviteRow(2), { ...bad, skip: { message: 'x' } }] },
      'rows.1.skip.reason',
      /.+/,
    );
  });

  it('a row that is neither invited nor skipped, or every row skipped', async () => {
    await refuse({ columns: COLUMNS, rows: [{ line: 2, cells: [] }] }, 'rows.0', /either invited or skipped/);
    await refuse({ columns: COLUMNS, rows: [skipRow(2)] }, 'rows', /no row to invite/);
  });

  it('a body over the bulk limit (413), while 1,000 rows of full cells fit', async () => {
    const big = { columns: COLUMNS, rows: [inviteRow(2)], padding: 'x'.repeat(3 * 1024 * 1024 + 1) };
    const answer = await stack.client.post('/api/bulk-invites', big);
    const problem = expectProblem(answer, 413, 'validation');
    expect(problem.detail).toMatch(/3 MB/);
    // Other routes keep their own limit.
    const single = await stack.client.post('/api/users', { ...newPerson(), pad: 'x'.repeat(70 * 1024) });
    expect(expectProblem(single, 413, 'validation').detail).toMatch(/64 KiB/);
  });
});

describe('POST /api/invites/check', () => {
  it('names an existing user, a pending invitation and an unknown address, without sending anything', async () => {
    const signedIn = newPerson();
    const created = await stack.client.post('/api/users', signedIn);
    expect(created.status, created.text).toBe(201);
    const userId = z.object({ userId: z.string() }).parse(created.json()).userId;
    const unknown = newPerson().email;
    await stack.clearUpstreamRequests();
    const answer = await stack.client.post('/api/invites/check', { emails: [signedIn.email, unknown] });
    expect(answer.status, answer.text).toBe(200);
    const { results } = z
      .object({
        results: z.array(
          z.object({
            email: z.string(),
            existing: z.nullable(
              z.object({
                userId: z.string(),
                name: z.string(),
                lastLoginAt: z.nullable(z.string()),
                invitation: z.nullable(
                  z.object({ invitationId: z.string(), status: z.string(), expiry: z.nullable(z.string()) }),
                ),
              }),
            ),
          }),
        ),
      })
      .parse(answer.json());
    expect(results).toHaveLength(2);
    expect(results[0]?.email).toBe(signedIn.email);
    expect(results[0]?.existing?.userId).toBe(userId);
    expect(results[0]?.existing?.name).toBe(`${signedIn.firstName} ${signedIn.lastName}`);
    expect(results[0]?.existing?.lastLoginAt).toBeNull();
    expect(results[0]?.existing?.invitation?.status).toBe('sent');
    expect(results[0]?.existing?.invitation?.invitationId).toMatch(/^inv_/);
    expect(results[1]).toEqual({ email: unknown, existing: null });
    expect((await stack.upstreamRequests()).every((entry) => entry.method === 'GET')).toBe(true);
  });

  it('refuses more than the limit and bad addresses (400)', async () => {
    const emails = Array.from({ length: INVITE_CHECK_MAX + 1 }, () => newPerson().email);
    const tooMany = expectProblem(
      await stack.client.post('/api/invites/check', { emails }),
      400,
      'validation',
    );
    expect(tooMany.errors?.[0]?.message).toMatch(/at most 50/);
    const bad = expectProblem(
      await stack.client.post('/api/invites/check', { emails: ['not-an-email'] }),
      400,
      'validation',
    );
    expect(bad.errors?.[0]?.path).toBe('emails.0');
  });

  it('passes a 429 from Avara on as 429 with Retry-After, so the browser waits', async () => {
    await stack.faults.add({
      method: 'GET',
      path: '/v1/viewer/users',
      status: 429,
      retryAfter: '30',
      times: 3,
    });
    try {
      const answer = await stack.client.post('/api/invites/check', { emails: [newPerson().email] });
      const problem = expectProblem(answer, 429, 'rate-limited');
      expect(answer.headers['retry-after']).toBe('30');
      expect(problem.retryAfter).toBe(30);
    } finally {
      await stack.faults.clear();
    }
  });
});

describe('cancel and retry', () => {
  it('cancel: the rows not yet sent are cancelled, the one on its way finishes; cancelling again changes nothing', async () => {
    // Each invite takes 300 ms, so most of the batch is still waiting when it is cancelled.
    await stack.faults.add({ method: 'POST', path: '/v1/viewer/users', latencyMs: 300, times: 100 });
    try {
      const batchId = await createBatch(stack.client, batchOf(20));
      await waitForBatch(stack.client, batchId, 10_000, (batch) => batch.counts.sending > 0);
      const cancelled = await stack.client.post(`/api/bulk-invites/${batchId}/cancel`);
      expect(cancelled.status, cancelled.text).toBe(200);
      expect(BulkBatchSummarySchema.parse(cancelled.json()).state).toBe('cancelled');
      const batch = await waitForBatch(stack.client, batchId);
      expect(batch.state).toBe('cancelled');
      expect(batch.counts.cancelled).toBeGreaterThan(0);
      expect(batch.counts.sent + batch.counts.cancelled).toBe(20);
      for (const row of batch.rows) {
        if (row.state === 'sent') await expectExactlyOneInvitation(stack, row.email ?? '');
      }
      const again = await stack.client.post(`/api/bulk-invites/${batchId}/cancel`);
      expect(again.status, again.text).toBe(200);
      expect(BulkBatchSummarySchema.parse(again.json()).counts).toEqual(batch.counts);
    } finally {
      await stack.faults.clear();
    }
  });

  it('a finished batch cannot be cancelled (409)', async () => {
    const batchId = await createBatch(stack.client, batchOf(1));
    await waitForBatch(stack.client, batchId);
    expectProblem(await stack.client.post(`/api/bulk-invites/${batchId}/cancel`), 409, 'conflict');
  });

  it('retry: a failed row is sent again as corrected, with the next attempt', async () => {
    const person = newPerson();
    // Avara refuses the first send of this row's invite outright.
    await stack.faults.add({
      method: 'POST',
      path: '/v1/viewer/users',
      status: 400,
      body: JSON.stringify({
        message: 'lastName is not valid',
        errors: [{ path: 'lastName', message: 'Not a real name.' }],
      }),
    });
    const batchId = await createBatch(stack.client, { columns: COLUMNS, rows: [inviteRow(2, person)] });
    const failed = await waitForBatch(stack.client, batchId);
    expect(failed.state).toBe('finished');
    const row = failed.rows[0];
    expect(row?.state).toBe('failed');
    expect(row?.message).toMatch(/Some details need attention/);
    expect(row?.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(row?.invite).toEqual(person);

    const nothing = expectProblem(
      await stack.client.post(`/api/bulk-invites/${batchId}/rows/1/retry`, { invite: person }),
      404,
      'not-found',
    );
    expect(nothing.title.length).toBeGreaterThan(0);
    const corrected = { ...person, lastName: 'Corrected' };
    const retried = await stack.client.post(`/api/bulk-invites/${batchId}/rows/0/retry`, {
      invite: corrected,
    });
    expect(retried.status, retried.text).toBe(200);
    const retriedRow = BulkRowSchema.parse(retried.json());
    expect(retriedRow.state).toBe('waiting');
    expect(retriedRow.invite).toEqual(corrected);

    const done = await waitForBatch(stack.client, batchId);
    expect(done.rows[0]?.state).toBe('sent');
    const userId = await expectExactlyOneInvitation(stack, person.email);
    expect(done.rows[0]?.userId).toBe(userId);
    // A row that is not failed is not retried.
    expectProblem(
      await stack.client.post(`/api/bulk-invites/${batchId}/rows/0/retry`, { invite: corrected }),
      409,
      'conflict',
    );
  });

  it('a duplicate upstream marks the row skipped with the existing userId', async () => {
    const person = newPerson();
    const created = await stack.client.post('/api/users', person);
    expect(created.status, created.text).toBe(201);
    const userId = z.object({ userId: z.string() }).parse(created.json()).userId;
    const batchId = await createBatch(stack.client, {
      columns: COLUMNS,
      rows: [inviteRow(2, person), inviteRow(3)],
    });
    const batch = await waitForBatch(stack.client, batchId);
    expect(batch.rows[0]?.state).toBe('skipped');
    expect(batch.rows[0]?.userId).toBe(userId);
    expect(batch.rows[0]?.message).toMatch(/already been invited/);
    expect(batch.rows[1]?.state).toBe('sent');
    await expectExactlyOneInvitation(stack, person.email);
  });
});
