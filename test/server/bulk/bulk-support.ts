import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { expect } from 'vitest';
import * as z from 'zod/mini';
import { BulkBatchSchema, BulkBatchSummarySchema } from '../../../src/contract/bulk.ts';
import type { BulkBatch, BulkRowInput, CreateBulkInviteInput } from '../../../src/contract/bulk.ts';
import type { InviteUserInput } from '../../../src/contract/users.ts';
import { RequestLogSchema } from '../../../src/sandbox/fault.ts';
import type { FaultSpec } from '../../../src/sandbox/fault.ts';
import { startSandbox } from '../../../src/sandbox/server.ts';
import { newPerson } from '../../support/people.ts';
import type { SignedInClient } from '../../support/session.ts';
import { sleep } from '../reliability/reliability-support.ts';

/** Helpers for the bulk invite suites: batches as the browser builds them, and waiting for them to end. */

export const COLUMNS = ['First name', 'Last name', 'E-mail', 'Role'];

export function inviteRow(line: number, person: InviteUserInput = newPerson()): BulkRowInput {
  return {
    line,
    cells: [person.firstName, person.lastName, person.email, person.clinicRole],
    invite: person,
  };
}

export function skipRow(line: number, message = 'Already has an account.'): BulkRowInput {
  return {
    line,
    cells: ['Skip', 'Me', `skip-${line}@hospital.example`, 'Radiologist'],
    skip: { reason: 'existing-user', userId: `usr_${'d'.repeat(32)}`, message },
  };
}

/** A batch of `invites` people to invite, then `skips` skipped rows. */
export function batchOf(invites: number, skips = 0): CreateBulkInviteInput {
  const rows: BulkRowInput[] = [];
  for (let i = 0; i < invites; i += 1) rows.push(inviteRow(rows.length + 2));
  for (let i = 0; i < skips; i += 1) rows.push(skipRow(rows.length + 2));
  return { columns: COLUMNS, rows };
}

/** POST /api/bulk-invites; the new batch's id. */
export async function createBatch(client: SignedInClient, body: CreateBulkInviteInput): Promise<string> {
  const answer = await client.post('/api/bulk-invites', body);
  expect(answer.status, answer.text).toBe(201);
  const summary = BulkBatchSummarySchema.parse(answer.json());
  expect(answer.headers.location).toBe(`/api/bulk-invites/${summary.batchId}`);
  return summary.batchId;
}

export async function readBatch(client: SignedInClient, batchId: string, since?: number): Promise<BulkBatch> {
  const answer = await client.get(
    `/api/bulk-invites/${batchId}${since === undefined ? '' : `?since=${since}`}`,
  );
  expect(answer.status, answer.text).toBe(200);
  return BulkBatchSchema.parse(answer.json());
}

/** Poll the batch until it is finished or cancelled with nothing on its way; fail after `timeoutMs`. */
export async function waitForBatch(
  client: SignedInClient,
  batchId: string,
  timeoutMs = 20_000,
  done: (batch: BulkBatch) => boolean = (batch) => batch.finishedAt !== null,
): Promise<BulkBatch> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const batch = await readBatch(client, batchId);
    if (done(batch)) return batch;
    if (Date.now() > deadline)
      throw new Error(`The batch did not end in time: ${JSON.stringify(batch.counts)}`);
    await sleep(50);
  }
}

/**
 * A sandbox of its own for tests that kill and restart the BFF (the BFF's sandbox mode would start a new one each
 * time): slow to answer invites (it invites at once, answers 600 ms later), so rows are caught on their way.
 */
export interface SlowUpstream {
  /** The BFF's environment: live mode against this sandbox, with a DATA_DIR that outlives each process. */
  env: Record<string, string>;
  upstream: { sandboxUrl: string; sandboxKey: string };
  /** The e-mail of every invite that reached the sandbox, in order. */
  invitePosts(): Promise<string[]>;
  close(): Promise<void>;
}

export async function startSlowUpstream(): Promise<SlowUpstream> {
  const dir = mkdtempSync(join(tmpdir(), 'viewer-admin-bulk-restart-'));
  const sandboxKey = `sk_test_${randomBytes(16).toString('hex')}`;
  const sandbox = await startSandbox({
    dataDir: join(dir, 'sandbox'),
    apiKey: sandboxKey,
    host: '127.0.0.1',
    port: 0,
    faultInjection: true,
    seed: false,
  });
  const call = async (method: 'GET' | 'POST', path: string, body?: FaultSpec) => {
    const answer = await request(`${sandbox.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${sandboxKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await answer.body.text();
    expect(answer.statusCode, text).toBeLessThan(300);
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  };
  await call('POST', '/__sandbox/faults', {
    method: 'POST',
    path: '/v1/viewer/users',
    latencyMs: 600,
    afterHandling: true,
    times: 10_000,
  });
  return {
    env: {
      DATA_DIR: join(dir, 'bff'),
      AVARA_BASE_URL: sandbox.url,
      AVARA_API_KEY: sandboxKey,
      UPSTREAM_MAX_CONCURRENT: '4',
    },
    upstream: { sandboxUrl: sandbox.url, sandboxKey },
    invitePosts: async () =>
      RequestLogSchema.parse(await call('GET', '/__sandbox/requests'))
        .requests.filter((entry) => entry.method === 'POST' && entry.path === '/v1/viewer/users')
        .map((entry) => z.object({ email: z.string() }).parse(entry.body).email),
    close: async () => {
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Waits until Avara has invited more people than the BFF knows of (their answers still on the way: the sandbox's
 * count is read first, so what the BFF learns meanwhile cannot make up the difference), with at least 3 sent.
 */
export async function untilRowsAreOnTheirWay(
  slow: SlowUpstream,
  client: SignedInClient,
  batchId: string,
): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const reached = (await slow.invitePosts()).length;
    const batch = await readBatch(client, batchId);
    if (batch.counts.sent >= 3 && reached > batch.counts.sent) return;
    expect(batch.finishedAt, 'the batch finished before it could be interrupted').toBeNull();
    expect(Date.now()).toBeLessThan(deadline);
    await sleep(20);
  }
}
