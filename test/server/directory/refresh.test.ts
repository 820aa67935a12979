import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UserSchema } from '../../../src/contract/users.ts';
import { startBff, startStack } from '../../support/stack.ts';
import type { Stack } from '../../support/stack.ts';
import { signIn } from '../../support/session.ts';
import { newPerson } from '../../support/people.ts';
import { directoryOf } from './support.ts';

/**
 * The directory's refresh against a real sandbox of 250 people (three pages of users and of invitations at 100):
 * paging, a 429 storm, a failure part-way, a restart part-way, and changes made in Avara directly.
 */

const PEOPLE = 250;
const PATIENT = { pageRetries: 6, retryDelayMs: 10 };
let stack: Stack;
let directory: ReturnType<typeof directoryOf>;

beforeAll(async () => {
  stack = await startStack({ seedPeople: PEOPLE, directory: PATIENT });
  directory = directoryOf(stack.client);
});
afterAll(async () => {
  await stack.close();
});
beforeEach(async () => {
  await stack.faults.clear();
  await stack.clearUpstreamRequests();
});

const pagesOf = async (path: string) =>
  (await stack.upstreamRequests()).filter((r) => r.method === 'GET' && r.path === path);

describe('the directory refresh', () => {
  it('walks every page of users, then of invitations, 100 at a time, one at a time', async () => {
    const before = await directory.status();
    expect(before).toEqual({ asOf: null, refreshing: false, lastError: null });
    expect((await directory.people()).total).toBe(0);
    const freshness = await directory.refresh();
    expect(freshness.lastError).toBeNull();
    expect(freshness.asOf).not.toBeNull();
    const users = await pagesOf('/v1/viewer/users');
    const invitations = await pagesOf('/v1/viewer/users/invitations');
    expect(users).toHaveLength(3);
    expect(invitations).toHaveLength(3);
    for (const page of [...users, ...invitations]) expect(page.query).toContain('limit=100');
    expect(users.filter((r) => r.query.includes('cursor='))).toHaveLength(2);
    const requests = await stack.upstreamRequests();
    // Users first, then invitations.
    expect(requests.findIndex((r) => r.path === '/v1/viewer/users/invitations')).toBe(3);
    const page = await directory.people('?limit=100');
    expect(page.total).toBe(PEOPLE);
    expect(page.neverSignedIn).toBeGreaterThan(0);
    expect((await directory.invitations()).total).toBe(PEOPLE);
    expect(page.people.every((p) => p.latestInvitation !== null)).toBe(true);
  });

  it('gets through a storm of 429s, honouring Retry-After, and completes', async () => {
    const { asOf } = await directory.refresh();
    await stack.clearUpstreamRequests();
    await stack.faults.add([
      { method: 'GET', path: '/v1/viewer/users', status: 429, retryAfter: '0', times: 7 },
    ]);
    const freshness = await directory.refresh();
    expect(freshness.lastError).toBeNull();
    expect(freshness.asOf).not.toBe(asOf);
    expect((await stack.upstreamRequests()).filter((r) => r.method === 'GET').length).toBe(6 + 7);
    expect((await directory.people()).total).toBe(PEOPLE);
  });

  it('keeps what it has and says why when Avara fails part-way', async () => {
    await directory.refresh();
    const { asOf } = await directory.status();
    await stack.faults.add({
      method: 'GET',
      path: '/v1/viewer/users/invitations',
      status: 503,
      times: 10_000,
    });
    const freshness = await directory.refresh();
    expect(freshness.asOf).toBe(asOf);
    expect(freshness.lastError).toBe(
      'Avara answered with an error (status 503) while the directory was being refreshed. ' +
        'The lists show what was read before; the next refresh tries again.',
    );
    expect((await directory.people()).total).toBe(PEOPLE);
    expect((await directory.invitations()).total).toBe(PEOPLE);
    await stack.faults.clear();
    // The next one goes on from the invitations and clears the message.
    await stack.clearUpstreamRequests();
    expect(await directory.refresh()).toMatchObject({ lastError: null });
    expect(await pagesOf('/v1/viewer/users')).toHaveLength(0);
  });

  it('picks up people changed, added and removed in Avara directly', async () => {
    await directory.refresh();
    const [first, second] = (await directory.people('?sort=name&limit=2')).people;
    if (!first || !second) throw new Error('Two people expected.');
    const sandbox = async (method: 'POST' | 'PATCH', path: string, body: unknown) => {
      const answer = await fetch(`${stack.sandboxUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${stack.sandboxKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(answer.status).toBeLessThan(300);
      return UserSchema.parse(await answer.json());
    };
    await sandbox('PATCH', `/v1/viewer/users/${first.user.userId}`, { lastName: 'Quintessa' });
    const added = await sandbox('POST', '/v1/viewer/users', newPerson({ firstName: 'Bartholomew' }));
    // Avara has no delete: remove the second person from the sandbox's own database.
    const db = new Database(join(stack.dataDir, 'sandbox.sqlite'));
    db.prepare('DELETE FROM invitations WHERE userId = ?').run(second.user.userId);
    db.prepare('DELETE FROM users WHERE userId = ?').run(second.user.userId);
    db.close();
    // Not before the next refresh...
    expect((await directory.people('?q=quintessa')).total).toBe(0);
    await directory.refresh();
    expect((await directory.people('?q=quintessa')).people.map((p) => p.user.userId)).toEqual([
      first.user.userId,
    ]);
    expect((await directory.people('?q=bartholomew')).people.map((p) => p.user.userId)).toEqual([
      added.userId,
    ]);
    expect((await directory.people(`?q=${second.user.userId}`)).total).toBe(0);
    expect((await directory.invitations(`?userId=${second.user.userId}`)).total).toBe(0);
    expect((await directory.people()).total).toBe(PEOPLE);
  });
});

describe('a BFF stopped part-way through a refresh', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('goes on from the page it reached when started again on the same data', async () => {
    await stack.faults.clear();
    const dataDir = mkdtempSync(join(tmpdir(), 'viewer-admin-directory-'));
    dirs.push(dataDir);
    const options = {
      upstreamUrl: stack.sandboxUrl,
      apiKey: stack.sandboxKey,
      dataDir,
      directory: { refreshMs: 3_600_000, ...PATIENT },
    };
    // The second page of users is slow: the BFF is stopped while it is on its way.
    await stack.faults.add([
      { method: 'GET', path: '/v1/viewer/users', latencyMs: 1, times: 1 },
      { method: 'GET', path: '/v1/viewer/users', latencyMs: 1_500, times: 1 },
    ]);
    await stack.clearUpstreamRequests();
    const first = await startBff(options);
    const deadline = Date.now() + 10_000;
    while ((await pagesOf('/v1/viewer/users')).length < 2) {
      if (Date.now() > deadline) throw new Error('The second page was never asked for.');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await first.close();
    expect(await pagesOf('/v1/viewer/users')).toHaveLength(2);

    await stack.clearUpstreamRequests();
    const second = await startBff(options);
    try {
      const directory2 = directoryOf(await signIn(second.url));
      const freshness = await directory2.settled();
      expect(freshness.lastError).toBeNull();
      expect(freshness.asOf).not.toBeNull();
      // Only the third page of users was read again, from the cursor kept.
      const users = await pagesOf('/v1/viewer/users');
      expect(users).toHaveLength(1);
      expect(users[0]?.query).toContain('cursor=');
      expect(await pagesOf('/v1/viewer/users/invitations')).toHaveLength(3);
      expect((await directory2.people()).total).toBe(PEOPLE);
    } finally {
      await second.close();
    }
  });
});
