import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { InvitationPageSchema } from '../../src/contract/invitations.ts';
import type { Invitation } from '../../src/contract/invitations.ts';
import { UserPageSchema } from '../../src/contract/users.ts';
import type { User } from '../../src/contract/users.ts';
import { expectShape, makeTempDir, startTestSandbox, testClock } from './harness.ts';
import type { TestSandbox } from './harness.ts';

const dirs: string[] = [];
const running: TestSandbox[] = [];

afterEach(async () => {
  for (const sb of running.splice(0)) await sb.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function walk<T>(
  sb: TestSandbox,
  path: string,
  pick: (body: unknown) => { rows: T[]; cursor: string | null },
) {
  const rows: T[] = [];
  let cursor: string | null = null;
  do {
    const reply = await sb.call('GET', `${path}?limit=100${cursor === null ? '' : `&cursor=${cursor}`}`);
    expect(reply.status).toBe(200);
    const page = pick(reply.json);
    rows.push(...page.rows);
    cursor = page.cursor;
  } while (cursor !== null);
  return rows;
}

async function everyone(sb: TestSandbox): Promise<{ users: User[]; invitations: Invitation[] }> {
  const users = await walk(sb, '/v1/viewer/users', (body) => {
    const page = expectShape(UserPageSchema, body);
    return { rows: page.users, cursor: page.cursor ?? null };
  });
  const invitations = await walk(sb, '/v1/viewer/users/invitations', (body) => {
    const page = expectShape(InvitationPageSchema, body);
    return { rows: page.invitations, cursor: page.cursor ?? null };
  });
  return { users, invitations };
}

describe('SANDBOX_SEED_PEOPLE', () => {
  it('seeds that many people in all, the same ones every time, with every kind of person', async () => {
    const clock = testClock();
    const lists = [];
    for (let run = 0; run < 2; run += 1) {
      const dataDir = makeTempDir();
      dirs.push(dataDir);
      const sb = await startTestSandbox({ dataDir, seedPeople: 450, now: clock.now });
      running.push(sb);
      lists.push(await everyone(sb));
    }
    const [first, second] = lists;
    if (!first || !second) throw new Error('Two runs expected.');
    expect(first.users).toHaveLength(450);
    expect(first.invitations).toHaveLength(450);
    expect(new Set(first.users.map((u) => u.userId)).size).toBe(450);
    expect(second.users.map((u) => u.userId)).toEqual(first.users.map((u) => u.userId));
    // The demo clinic is still there, with its only owner.
    expect(first.users.some((u) => u.firstName === 'Priya' && u.lastName === 'Natarajan')).toBe(true);
    expect(first.users.filter((u) => u.level === 'owner')).toHaveLength(1);
    const firstNames = new Set(first.users.map((u) => u.firstName));
    for (const name of ['Zoë', 'José', 'Łukasz']) expect(firstNames).toContain(name);
    expect(first.users.some((u) => u.clinicRole === 'PACS Administrator')).toBe(true);
    expect(new Set(first.users.map((u) => u.level))).toEqual(new Set(['owner', 'admin', 'member']));
    expect(new Set(first.users.map((u) => u.invitedSource))).toEqual(new Set(['api', 'dashboard']));
    expect(first.users.filter((u) => u.lastLoginAt === null).length).toBeGreaterThan(50);
    expect(new Set(first.invitations.map((i) => i.status))).toEqual(
      new Set(['sent', 'accepted', 'revoked', 'rejected']),
    );
    const now = clock.now().toISOString();
    const sent = first.invitations.filter((i) => i.status === 'sent');
    expect(sent.some((i) => i.expiry !== null && i.expiry < now)).toBe(true);
    expect(sent.some((i) => i.expiry !== null && i.expiry > now)).toBe(true);
  });

  it('keeps the small demo clinic when unset', async () => {
    const sb = await startTestSandbox();
    running.push(sb);
    expect((await everyone(sb)).users).toHaveLength(29);
  });
});
