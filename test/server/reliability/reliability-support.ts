import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { expect } from 'vitest';
import * as z from 'zod/mini';
import { AuditPageSchema } from '../../../src/contract/audit.ts';
import type { AuditRecord } from '../../../src/contract/audit.ts';
import { UserPageSchema } from '../../../src/contract/users.ts';
import type { InviteUserInput } from '../../../src/contract/users.ts';
import { OutboxSchema } from '../../../src/sandbox/fault.ts';
import type { HttpAnswer } from '../../support/http.ts';
import type { SignedInClient } from '../../support/session.ts';

/** Helpers for the reliability suites: invites with keys, and what really happened upstream. */

export interface Upstream {
  sandboxUrl: string;
  sandboxKey: string;
}

export function newKey(): string {
  return randomUUID();
}

export function invite(
  client: SignedInClient,
  body: InviteUserInput,
  key: string | undefined,
): Promise<HttpAnswer> {
  return client.post('/api/users', body, { idempotencyKey: key ?? false });
}

async function sandboxGet(upstream: Upstream, path: string): Promise<unknown> {
  const response = await request(`${upstream.sandboxUrl}${path}`, {
    headers: { authorization: `Bearer ${upstream.sandboxKey}` },
  });
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`Sandbox GET ${path} answered ${response.statusCode}`);
  const value: unknown = JSON.parse(text);
  return value;
}

/** The users Avara holds with this email (asked of the sandbox directly, not through the BFF). */
export async function usersWithEmail(upstream: Upstream, email: string) {
  const page = UserPageSchema.parse(
    await sandboxGet(upstream, `/v1/viewer/users?email=${encodeURIComponent(email)}`),
  );
  return page.users;
}

/** Invitation e-mails the sandbox captured for this address. */
export async function invitationsSentTo(upstream: Upstream, email: string): Promise<number> {
  const outbox = OutboxSchema.parse(await sandboxGet(upstream, '/__sandbox/outbox'));
  return outbox.messages.filter((message) => message.to.toLowerCase() === email.toLowerCase()).length;
}

/** Exactly one person and exactly one invitation e-mail for this address, whatever happened on the way. */
export async function expectExactlyOneInvitation(upstream: Upstream, email: string): Promise<string> {
  const users = await usersWithEmail(upstream, email);
  expect(users).toHaveLength(1);
  expect(await invitationsSentTo(upstream, email)).toBe(1);
  return users[0]?.userId ?? '';
}

/** The audit records of invites of this email, oldest first. */
export async function inviteAudit(client: SignedInClient, email: string): Promise<AuditRecord[]> {
  const answer = await client.get('/api/audit?action=user.invite&limit=100');
  expect(answer.status, answer.text).toBe(200);
  const page = AuditPageSchema.parse(answer.json());
  return page.records.filter((record) => record.targetEmail === email).reverse();
}

export const UserAnswerSchema = z.object({ userId: z.string(), email: z.string() });

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Wait until `check` holds (polling), or fail after `timeoutMs`. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('The condition did not hold in time.');
    await sleep(25);
  }
}
