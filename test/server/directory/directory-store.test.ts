import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PeopleQuerySchema, DirectoryInvitationsQuerySchema } from '../../../src/contract/directory.ts';
import type { Invitation } from '../../../src/contract/invitations.ts';
import type { User } from '../../../src/contract/users.ts';
import pg from 'pg';
import { WalkTakenOverError } from '../../../src/server/store/directory.ts';
import { openPostgresStore } from '../../../src/server/store/pg/store.ts';
import { openSqliteStore, type Store } from '../../../src/server/store/store.ts';
import { STORE_BACKENDS } from '../../support/store-backends.ts';
import { freshPostgresUrl } from '../../support/test-database.ts';

const NOW = Date.parse('2026-03-10T12:00:00.000Z');
const WALKER = { owner: 'inst_a', now: NOW, until: NOW + 30_000 };
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
let seq = 0;
const hex = (n: number) => n.toString(16).padStart(32, '0');

function user(over: Partial<User> = {}): User {
  seq += 1;
  return {
    userId: `usr_${hex(seq)}`,
    email: `person${seq}@clinic.example`,
    firstName: 'Sam',
    lastName: `Person${seq}`,
    middleName: null,
    suffix1: null,
    suffix2: null,
    phoneNumber: null,
    clinicRole: 'Radiologist',
    level: 'member',
    hasDashboardAccess: true,
    canManageStudies: false,
    invitedSource: 'api',
    createdAt: iso(NOW - 30 * DAY + seq * 1000),
    lastLoginAt: null,
    ...over,
  };
}

function invitationOf(u: User, over: Partial<Invitation> = {}): Invitation {
  seq += 1;
  return {
    invitationId: `inv_${hex(seq)}`,
    userId: u.userId,
    clinicId: 'clinic',
    email: u.email,
    firstName: u.firstName,
    lastName: u.lastName,
    middleName: u.middleName ?? null,
    phoneNumber: u.phoneNumber ?? null,
    suffix1: null,
    suffix2: null,
    clinicRole: u.clinicRole,
    level: u.level,
    hasDashboardAccess: u.hasDashboardAccess,
    canManageStudies: u.canManageStudies,
    invitedSource: u.invitedSource,
    inviterId: null,
    invitedByApiKeyId: null,
    status: 'sent',
    expiry: iso(NOW + 3 * DAY),
    createdAt: u.createdAt,
    updatedAt: u.createdAt,
    ...over,
  };
}

/** The audit trail's part in the directory (directory_access, kept by triggers), written as the trail writes it. */
interface Trail {
  operator(email: string, displayName: string): Promise<string>;
  append(entry: {
    at: number;
    operatorId: string;
    operatorEmail: string;
    action: 'user.invite' | 'user.revoke-access' | 'user.reactivate';
    targetUserId?: string;
    outcome: 'success' | 'failure' | 'pending';
  }): Promise<number>;
  complete(id: number, completion: { outcome: 'success'; targetUserId?: string; at: number }): Promise<void>;
  close(): Promise<void>;
}

/** SQLite through its store; PostgreSQL in the same rows through SQL (its audit and operators stores are another part). */
async function openTrail(
  name: (typeof STORE_BACKENDS)[number]['name'],
): Promise<{ store: Store; trail: Trail }> {
  if (name === 'SQLite') {
    const sqlite = openSqliteStore(':memory:');
    return {
      store: sqlite,
      trail: {
        operator: async (email, displayName) =>
          (
            await sqlite.operators.create({
              email,
              displayName,
              role: 'administrator',
              passwordHash: 'x',
              mustChangePassword: false,
              createdAt: 1,
            })
          ).id,
        append: (entry) => sqlite.audit.append({ ...entry, requestId: null }),
        complete: (id, completion) => sqlite.audit.complete(id, completion),
        close: async () => undefined,
      },
    };
  }
  const url = await freshPostgresUrl();
  const postgres = await openPostgresStore(url);
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  let operators = 0;
  return {
    store: postgres,
    trail: {
      async operator(email, displayName) {
        operators += 1;
        const id = `opr_${String(operators).padStart(32, '0')}`;
        await pool.query(
          `INSERT INTO operators (id, email, display_name, password_hash, created_at) VALUES ($1, $2, $3, 'x', 1)`,
          [id, email, displayName],
        );
        return id;
      },
      async append(entry) {
        const result = await pool.query<{ id: string }>(
          `INSERT INTO audit_log (at, operator_id, operator_email, action, target_user_id, outcome)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
          [
            entry.at,
            entry.operatorId,
            entry.operatorEmail,
            entry.action,
            entry.targetUserId ?? null,
            entry.outcome,
          ],
        );
        return Number(result.rows[0]?.id);
      },
      async complete(id, completion) {
        await pool.query(
          `UPDATE audit_log SET outcome = $2, completed_at = $3, target_user_id = COALESCE($4, target_user_id)
           WHERE id = $1`,
          [id, completion.outcome, completion.at, completion.targetUserId ?? null],
        );
      },
      close: () => pool.end(),
    },
  };
}

describe.each(STORE_BACKENDS)('$name', ({ name }) => {
  let store: Store;
  let trail: Trail;
  beforeEach(async () => {
    ({ store, trail } = await openTrail(name));
  });
  afterEach(async () => {
    await trail.close();
    await store.close();
  });

  const people = (query: Record<string, string> = {}) =>
    store.directory.queryPeople(PeopleQuerySchema.parse(query), NOW);
  const ids = async (query: Record<string, string> = {}) =>
    (await people({ limit: '100', ...query })).people.map((p) => p.user.userId);

  describe('the directory store', async () => {
    it('names users and invitations for the Activity screen, leaving unknown ids out', async () => {
      const zoe = user({ firstName: 'Zoë', lastName: 'Papadopoulos' });
      const inv = invitationOf(zoe);
      await store.directory.upsertUsers([zoe]);
      await store.directory.upsertInvitations([inv]);
      const names = await store.directory.namesOf({
        userIds: [zoe.userId, 'usr_unknown'],
        invitationIds: [inv.invitationId],
      });
      expect(names).toEqual(
        new Map([
          [zoe.userId, 'Zoë Papadopoulos'],
          [inv.invitationId, 'Zoë Papadopoulos'],
        ]),
      );
      expect(await store.directory.namesOf({})).toEqual(new Map());
    });

    it('derives each status from Avara and the audit trail, expiry judged now', async () => {
      const owner = user({ level: 'owner', lastLoginAt: iso(NOW - DAY) });
      const active = user({ lastLoginAt: iso(NOW - DAY) });
      const accepted = user();
      const invited = user();
      const expired = user();
      const revokedInv = user();
      const declined = user();
      const noInvitation = user();
      const accessRevoked = user({ lastLoginAt: iso(NOW - DAY) });
      const reactivated = user({ lastLoginAt: iso(NOW - DAY) });
      await store.directory.upsertUsers([
        owner,
        active,
        accepted,
        invited,
        expired,
        revokedInv,
        declined,
        noInvitation,
        accessRevoked,
        reactivated,
      ]);
      await store.directory.upsertInvitations([
        invitationOf(accepted, { status: 'accepted' }),
        invitationOf(invited),
        invitationOf(expired, { expiry: iso(NOW - 1) }),
        invitationOf(revokedInv, { status: 'revoked' }),
        invitationOf(declined, { status: 'rejected' }),
      ]);
      const operatorId = await trail.operator('dana@clinic.example', 'Dana Smith');
      const audit = (
        action: 'user.revoke-access' | 'user.reactivate',
        userId: string,
        outcome: 'success' | 'failure',
      ) =>
        trail.append({
          at: NOW - DAY,
          operatorId,
          operatorEmail: 'dana@clinic.example',
          action,
          targetUserId: userId,
          outcome,
        });
      await audit('user.revoke-access', accessRevoked.userId, 'success');
      await audit('user.reactivate', accessRevoked.userId, 'failure');
      await audit('user.revoke-access', reactivated.userId, 'success');
      // Written pending, then completed: the completion counts.
      const pending = await trail.append({
        at: NOW - DAY,
        operatorId,
        operatorEmail: 'dana@clinic.example',
        action: 'user.reactivate',
        targetUserId: reactivated.userId,
        outcome: 'pending',
      });
      await trail.complete(pending, { outcome: 'success', at: NOW - DAY + 5 });
      await audit('user.revoke-access', owner.userId, 'success');

      const statusOf = new Map((await people({ limit: '100' })).people.map((p) => [p.user.userId, p]));
      expect(statusOf.get(owner.userId)?.status).toBe('owner');
      expect(statusOf.get(active.userId)?.status).toBe('active');
      expect(statusOf.get(accepted.userId)?.status).toBe('active');
      expect(statusOf.get(invited.userId)?.status).toBe('invited');
      expect(statusOf.get(expired.userId)?.status).toBe('invitation-expired');
      expect(statusOf.get(revokedInv.userId)?.status).toBe('invitation-revoked');
      expect(statusOf.get(declined.userId)?.status).toBe('invitation-declined');
      expect(statusOf.get(noInvitation.userId)?.status).toBe('invited');
      expect(statusOf.get(reactivated.userId)?.status).toBe('active');
      const revoked = statusOf.get(accessRevoked.userId);
      expect(revoked?.status).toBe('access-revoked');
      expect(revoked?.statusSource).toBe('dashboard');
      expect(revoked?.accessRevoked).toEqual({
        by: { operatorId, name: 'Dana Smith' },
        at: iso(NOW - DAY),
      });
      expect(await ids({ status: 'access-revoked' })).toEqual([accessRevoked.userId]);
      expect(new Set(await ids({ status: 'invitation-expired,invited' }))).toEqual(
        new Set([expired.userId, invited.userId, noInvitation.userId]),
      );
      // Expiry is judged at query time: the pending one expires as time passes.
      const later = await store.directory.queryPeople(
        PeopleQuerySchema.parse({ status: 'invitation-expired' }),
        NOW + 4 * DAY,
      );
      expect(new Set(later.people.map((p) => p.user.userId))).toEqual(
        new Set([expired.userId, invited.userId]),
      );
    });

    it('says who invited: the operator from the audit trail, else what Avara says', async () => {
      const fromHere = user({ invitedSource: 'api' });
      const api = user({ invitedSource: 'api' });
      const avara = user({ invitedSource: 'dashboard' });
      await store.directory.upsertUsers([fromHere, api, avara]);
      await store.directory.upsertInvitations([
        invitationOf(fromHere),
        invitationOf(api),
        invitationOf(avara),
      ]);
      // An operator no longer in the operators table is named by the e-mail the record kept.
      const id = await trail.append({
        at: NOW,
        operatorId: 'opr_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
        operatorEmail: 'lee@clinic.example',
        action: 'user.invite',
        outcome: 'pending',
      });
      await trail.complete(id, { outcome: 'success', targetUserId: fromHere.userId, at: NOW });
      const byId = new Map((await people({ limit: '100' })).people.map((p) => [p.user.userId, p.invitedBy]));
      expect(byId.get(fromHere.userId)).toEqual({
        source: 'dashboard',
        label: 'lee@clinic.example',
        operator: { operatorId: 'opr_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', name: 'lee@clinic.example' },
      });
      expect(byId.get(api.userId)).toEqual({ source: 'avara', label: 'Through the API', operator: null });
      expect(byId.get(avara.userId)).toEqual({
        source: 'avara',
        label: "From Avara's dashboard",
        operator: null,
      });
      expect(await ids({ invitedBy: 'opr_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' })).toEqual([fromHere.userId]);
      expect(await ids({ invitedBy: 'api' })).toEqual([api.userId]);
      expect(await ids({ invitedBy: 'avara' })).toEqual([avara.userId]);
      const invitations = await store.directory.queryInvitations(
        DirectoryInvitationsQuerySchema.parse({ invitedBy: 'opr_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' }),
        NOW,
      );
      expect(invitations.invitations.map((i) => i.invitation.userId)).toEqual([fromHere.userId]);
    });

    it('finds anyone by any part of a name, e-mail, phone digits or id, in any case, with or without accents', async () => {
      const words = fc.stringMatching(/^[A-Za-zÀ-ÖØ-öø-ÿŁłŚśŻżĘęŒœ]{1,12}$/);
      await fc.assert(
        fc.asyncProperty(
          words,
          fc.option(words, { nil: null }),
          words,
          fc.stringMatching(/^[0-9]{10}$/),
          fc.nat(),
          fc.nat(),
          fc.constantFrom('upper', 'lower', 'folded', 'as-is'),
          fc.boolean(),
          async (first, middle, last, phone, a, b, spelling, reversed) => {
            const person = user({ firstName: first, middleName: middle, lastName: last, phoneNumber: phone });
            const inv = invitationOf(person);
            const other = user({ firstName: 'Unrelated', lastName: 'Someone' });
            await store.directory.upsertUsers([person, other]);
            await store.directory.upsertInvitations([inv]);
            const fields = [
              first,
              middle ?? first,
              last,
              person.email,
              phone,
              person.userId,
              inv.invitationId,
            ];
            const field = fields[a % fields.length] ?? first;
            const start = b % field.length;
            const part = field.slice(start, start + 1 + (b % 7));
            const spell = (text: string) =>
              spelling === 'upper'
                ? text.toUpperCase()
                : spelling === 'lower'
                  ? text.toLowerCase()
                  : spelling === 'folded'
                    ? text.normalize('NFKD').replace(/\p{M}/gu, '')
                    : text;
            expect(await ids({ q: spell(part) })).toContain(person.userId);
            const full = reversed ? `${last} ${first}` : `${first} ${last}`;
            expect(await ids({ q: spell(full) })).toContain(person.userId);
            await store.directory.removeUser(person.userId);
            await store.directory.removeUser(other.userId);
          },
        ),
        { numRuns: 150 },
      );
    });

    it('answers the issue examples', async () => {
      const priya = user({
        firstName: 'Priya',
        lastName: 'Natarajan',
        email: 'priya.natarajan@northside.example',
        phoneNumber: '6175550102',
      });
      const zoe = user({ firstName: 'Zoë', lastName: 'Papadopoulos' });
      const paul = user({ firstName: 'Paul', lastName: 'Natarajan' });
      const lukasz = user({ firstName: 'Łukasz', lastName: 'Straße' });
      await store.directory.upsertUsers([priya, zoe, paul, lukasz]);
      expect(await ids({ q: 'lukasz strasse' })).toEqual([lukasz.userId]);
      expect(await ids({ q: 'STRASSE' })).toEqual([lukasz.userId]);
      expect((await ids({ q: 'natarajan p' })).sort()).toEqual([priya.userId, paul.userId].sort());
      expect(await ids({ q: 'natarajan pr' })).toEqual([priya.userId]);
      expect(await ids({ q: 'PRIYA' })).toEqual([priya.userId]);
      expect(await ids({ q: 'ya.nata' })).toEqual([priya.userId]);
      expect(await ids({ q: 'Priya.Natarajan@Northside.example' })).toEqual([priya.userId]);
      expect(await ids({ q: 'priya.natarajan@northside.examplf' })).toEqual([]);
      expect(await ids({ q: 'zoe' })).toEqual([zoe.userId]);
      expect(await ids({ q: '(617) 555-0102' })).toEqual([priya.userId]);
      expect(await ids({ q: 'nobody' })).toEqual([]);
    });

    it('takes % _ and \\ in a search as themselves', async () => {
      const underscore = user({ email: 'sam_lee@clinic.example' });
      const plain = user({ email: 'samxlee@clinic.example' });
      const percent = user({ email: 'sam%lee@clinic.example' });
      const backslash = user({ email: 'sam\\lee@clinic.example' });
      await store.directory.upsertUsers([underscore, plain, percent, backslash]);
      expect(await ids({ q: 'm_l' })).toEqual([underscore.userId]);
      expect(await ids({ q: 'm%l' })).toEqual([percent.userId]);
      expect(await ids({ q: '%' })).toEqual([percent.userId]);
      expect(await ids({ q: 'm\\l' })).toEqual([backslash.userId]);
      expect((await ids({ q: 'samxlee' })).sort()).toEqual([plain.userId]);
    });

    it('filters, sorts, pages and counts over all matches', async () => {
      const many = Array.from({ length: 30 }, (_, i) =>
        user({
          lastName: `Zed${String(i).padStart(2, '0')}`,
          level: i % 3 === 0 ? 'admin' : 'member',
          clinicRole: i % 2 === 0 ? 'Doctor' : 'Registered Nurse',
          hasDashboardAccess: i % 3 === 0 || i % 5 === 0,
          canManageStudies: i % 4 === 0,
          lastLoginAt: i % 2 === 0 ? iso(NOW - i * DAY) : null,
          createdAt: iso(NOW - (40 - i) * DAY),
        }),
      );
      await store.directory.upsertUsers(many);
      const page2 = await people({ q: 'zed', sort: 'name', limit: '7', page: '2' });
      expect(page2.total).toBe(30);
      expect(page2.neverSignedIn).toBe(15);
      expect(page2.people.map((p) => p.user.lastName)).toEqual(
        ['07', '08', '09', '10', '11', '12', '13'].map((n) => `Zed${n}`),
      );
      expect((await people({ q: 'zed', sort: '-name', limit: '1' })).people[0]?.user.lastName).toBe('Zed29');
      expect((await people({ q: 'zed', sort: '-invited', limit: '1' })).people[0]?.user.lastName).toBe(
        'Zed29',
      );
      expect((await people({ q: 'zed', sort: 'invited', limit: '1' })).people[0]?.user.lastName).toBe(
        'Zed00',
      );
      expect((await people({ q: 'zed', sort: '-last-sign-in', limit: '1' })).people[0]?.user.lastName).toBe(
        'Zed00',
      );
      const expectCount = async (query: Record<string, string>, predicate: (u: User) => boolean) =>
        expect((await people({ q: 'zed', ...query })).total).toBe(many.filter(predicate).length);
      await expectCount({ level: 'admin' }, (u) => u.level === 'admin');
      await expectCount({ role: 'Doctor' }, (u) => u.clinicRole === 'Doctor');
      await expectCount({ role: 'Doctor,Registered Nurse' }, () => true);
      await expectCount({ dashboard: 'yes' }, (u) => u.hasDashboardAccess);
      await expectCount({ studies: 'no' }, (u) => !u.canManageStudies);
      const day = (ms: number) => iso(ms).slice(0, 10);
      await expectCount(
        { invitedFrom: day(NOW - 20 * DAY), invitedTo: day(NOW - 11 * DAY) },
        (u) =>
          u.createdAt !== null &&
          u.createdAt >= `${day(NOW - 20 * DAY)}` &&
          u.createdAt < `${day(NOW - 10 * DAY)}`,
      );
    });

    it('keeps a page only from the instance holding the walk, of the list it is on; another cannot end the walk', async () => {
      const [a] = [user()];
      if (!a) throw new Error('one user');
      await store.directory.beginRefresh(WALKER);
      // A stalled past its lease: B takes the walk over and goes on with it.
      const taker = { owner: 'inst_b', now: WALKER.until + 1, until: WALKER.until + 30_000 };
      expect(await store.directory.beginRefresh(taker)).toMatchObject({ phase: 'users', runner: 'inst_b' });
      // A wakes with a page: nothing of it is kept, and its failure does not end B's walk.
      await expect(store.directory.savePage({ users: [a] }, null, NOW, WALKER.owner)).rejects.toThrow(
        WalkTakenOverError,
      );
      await store.directory.restartPhase(WALKER.owner);
      await store.directory.failRefresh('Avara failed', WALKER.owner);
      // A page of the other list than the walk is on is refused too.
      await expect(store.directory.savePage({ invitations: [] }, null, NOW, 'inst_b')).rejects.toThrow(
        WalkTakenOverError,
      );
      expect(await store.directory.refreshState()).toMatchObject({
        phase: 'users',
        cursor: null,
        runner: 'inst_b',
        lastError: null,
      });
      expect(await store.directory.savePage({ users: [a] }, 'cursor-2', NOW, 'inst_b')).toMatchObject({
        phase: 'users',
        cursor: 'cursor-2',
      });
      // Its own failure ends it.
      await store.directory.failRefresh('Avara failed', 'inst_b');
      expect(await store.directory.refreshState()).toMatchObject({ runner: null, lastError: 'Avara failed' });
    });

    it('keeps a walk resumable and removes only what a complete walk did not see', async () => {
      const [a, b, c] = [user(), user(), user()];
      if (!a || !b || !c) throw new Error('three users');
      await store.directory.beginRefresh(WALKER);
      await store.directory.savePage({ users: [a, b] }, 'cursor-2', NOW);
      expect(await store.directory.refreshState()).toMatchObject({
        generation: 1,
        phase: 'users',
        cursor: 'cursor-2',
      });
      // Beginning again while a walk is under way goes on with it.
      expect(await store.directory.beginRefresh(WALKER)).toMatchObject({
        generation: 1,
        phase: 'users',
        cursor: 'cursor-2',
      });
      await store.directory.savePage({ users: [c] }, null, NOW);
      await store.directory.savePage({ invitations: [invitationOf(a), invitationOf(c)] }, null, NOW);
      expect(await store.directory.refreshState()).toEqual({
        generation: 1,
        phase: 'idle',
        cursor: null,
        asOf: NOW,
        lastError: null,
        runner: null,
        leaseUntil: null,
      });
      expect((await people()).total).toBe(3);
      // The next walk does not see b: removed once it is complete, not before.
      await store.directory.beginRefresh(WALKER);
      await store.directory.savePage({ users: [a] }, 'x', NOW + 1);
      await store.directory.failRefresh('Avara did not answer.');
      expect((await people()).total).toBe(3);
      expect(await store.directory.refreshState()).toMatchObject({
        asOf: NOW,
        lastError: 'Avara did not answer.',
      });
      await store.directory.savePage({ users: [c] }, null, NOW + 2);
      await store.directory.savePage({ invitations: [] }, null, NOW + 2);
      expect(new Set(await ids())).toEqual(new Set([a.userId, c.userId]));
      expect((await people()).people.every((p) => p.latestInvitation === null)).toBe(true);
      expect(await store.directory.refreshState()).toMatchObject({ asOf: NOW + 2, lastError: null });
    });

    it('the walk is held by one instance at a time; another resumes it from the cursor once the lease ends', async () => {
      const [a, b] = [user(), user()];
      if (!a || !b) throw new Error('two users');
      expect(await store.directory.beginRefresh(WALKER)).toMatchObject({
        generation: 1,
        phase: 'users',
        runner: 'inst_a',
        leaseUntil: NOW + 30_000,
      });
      await store.directory.savePage({ users: [a] }, 'cursor-2', NOW);
      const other = { owner: 'inst_b', now: NOW + 1_000, until: NOW + 31_000 };
      expect(await store.directory.beginRefresh(other)).toBeUndefined();
      expect(await store.directory.renewRefresh('inst_a', NOW + 40_000)).toBe(true);
      expect(await store.directory.renewRefresh('inst_b', NOW + 40_000)).toBe(false);
      expect(await store.directory.beginRefresh({ ...other, now: NOW + 39_999 })).toBeUndefined();
      // inst_a stopped renewing: inst_b goes on with the same walk, from its cursor.
      expect(await store.directory.beginRefresh({ ...other, now: NOW + 40_000 })).toMatchObject({
        generation: 1,
        phase: 'users',
        cursor: 'cursor-2',
        runner: 'inst_b',
      });
      await store.directory.savePage({ users: [b] }, null, NOW + 40_000);
      await store.directory.savePage({ invitations: [] }, null, NOW + 40_000);
      expect(await store.directory.refreshState()).toMatchObject({
        phase: 'idle',
        runner: null,
        leaseUntil: null,
      });
      // A failed walk lets go: the next may start anywhere.
      await store.directory.beginRefresh({ ...other, now: NOW + 50_000 });
      await store.directory.failRefresh('Avara did not answer.');
      expect(await store.directory.refreshState()).toMatchObject({ phase: 'users', runner: null });
      expect(await store.directory.beginRefresh({ ...WALKER, now: NOW + 50_001 })).toMatchObject({
        generation: 2,
        runner: 'inst_a',
      });
    });
  });
});
