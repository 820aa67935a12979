import { expect } from 'vitest';
import { BulkBatchSchema, BulkBatchSummarySchema } from '../../../src/contract/bulk.ts';
import type { BulkBatch, BulkRowInput, CreateBulkInviteInput } from '../../../src/contract/bulk.ts';
import type { InviteUserInput } from '../../../src/contract/users.ts';
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
