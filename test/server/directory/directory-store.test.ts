import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PeopleQuerySchema, DirectoryInvitationsQuerySchema } from '../../../src/contract/directory.ts';
import type { Invitation } from '../../../src/contract/invitations.ts';
import type { User } from '../../../src/contract/users.ts';
import { openSqliteStore, type Store } from '../../../src/server/store/store.ts';

const NOW = Date.parse('2026-03-10T12:00:00.000Z');
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

let store: Store;
beforeEach(() => {
  store = openSqliteStore(':memory:');
});
afterEach(() => store.close());

const people = (query: Record<string, string> = {}) =>
  store.directory.queryPeople(PeopleQuerySchema.parse(query), NOW);
const ids = (query: Record<string, string> = {}) =>
  people({ limit: '100', ...query }).people.map((p) => p.user.userId);

describe('the directory store', () => {
  it('names users and invitations for the Activity screen, leaving unknown ids out', () => {
    const zoe = user({ firstName: 'Zoë', lastName: 'Papadopoulos' });
    const inv = invitationOf(zoe);
    store.directory.upsertUsers([zoe]);
    store.directory.upsertInvitations([inv]);
    const names = store.directory.namesOf({
      userIds: [zoe.userId, 'usr_unknown'],
      invitationIds: [inv.invitationId],
    });
    expect(names).toEqual(
      new Map([
        [zoe.userId, 'Zoë Papadopoulos'],
        [inv.invitationId, 'Zoë Papadopoulos'],
      ]),
    );
    expect(store.directory.namesOf({})).toEqual(new Map());
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
    store.directory.upsertUsers([
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
    store.directory.upsertInvitations([
      invitationOf(accepted, { status: 'accepted' }),
      invitationOf(invited),
      invitationOf(expired, { expiry: iso(NOW - 1) }),
      invitationOf(revokedInv, { status: 'revoked' }),
      invitationOf(declined, { status: 'rejected' }),
    ]);
    const { id: operatorId } = await store.operators.create({
      email: 'dana@clinic.example',
      displayName: 'Dana Smith',
      role: 'administrator',
      passwordHash: 'x',
      mustChangePassword: false,
      createdAt: 1,
    });
    const audit = (
      action: 'user.revoke-access' | 'user.reactivate',
      userId: string,
      outcome: 'success' | 'failure',
    ) =>
      store.audit.append({
        at: NOW - DAY,
        operatorId,
        operatorEmail: 'dana@clinic.example',
        action,
        targetUserId: userId,
        requestId: null,
        outcome,
      });
    await audit('user.revoke-access', accessRevoked.userId, 'success');
    await audit('user.reactivate', accessRevoked.userId, 'failure');
    await audit('user.revoke-access', reactivated.userId, 'success');
    // Written pending, then completed: the completion counts.
    const pending = await store.audit.append({
      at: NOW - DAY,
      operatorId,
      operatorEmail: 'dana@clinic.example',
      action: 'user.reactivate',
      targetUserId: reactivated.userId,
      requestId: null,
      outcome: 'pending',
    });
    await store.audit.complete(pending, { outcome: 'success', at: NOW - DAY + 5 });
    await audit('user.revoke-access', owner.userId, 'success');

    const statusOf = new Map(people({ limit: '100' }).people.map((p) => [p.user.userId, p]));
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
    expect(ids({ status: 'access-revoked' })).toEqual([accessRevoked.userId]);
    expect(new Set(ids({ status: 'invitation-expired,invited' }))).toEqual(
      new Set([expired.userId, invited.userId, noInvitation.userId]),
    );
    // Expiry is judged at query time: the pending one expires as time passes.
    const later = store.directory.queryPeople(
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
    store.directory.upsertUsers([fromHere, api, avara]);
    store.directory.upsertInvitations([invitationOf(fromHere), invitationOf(api), invitationOf(avara)]);
    // An operator no longer in the operators table is named by the e-mail the record kept.
    const id = await store.audit.append({
      at: NOW,
      operatorId: 'opr_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
      operatorEmail: 'lee@clinic.example',
      action: 'user.invite',
      targetEmail: fromHere.email,
      requestId: null,
      outcome: 'pending',
    });
    await store.audit.complete(id, { outcome: 'success', targetUserId: fromHere.userId, at: NOW });
    const byId = new Map(people({ limit: '100' }).people.map((p) => [p.user.userId, p.invitedBy]));
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
    expect(ids({ invitedBy: 'opr_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' })).toEqual([fromHere.userId]);
    expect(ids({ invitedBy: 'api' })).toEqual([api.userId]);
    expect(ids({ invitedBy: 'avara' })).toEqual([avara.userId]);
    const invitations = store.directory.queryInvitations(
      DirectoryInvitationsQuerySchema.parse({ invitedBy: 'opr_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' }),
      NOW,
    );
    expect(invitations.invitations.map((i) => i.invitation.userId)).toEqual([fromHere.userId]);
  });

  it('finds anyone by any part of a name, e-mail, phone digits or id, in any case, with or without accents', () => {
    const words = fc.stringMatching(/^[A-Za-zÀ-ÖØ-öø-ÿŁłŚśŻżĘęŒœ]{1,12}$/);
    fc.assert(
      fc.property(
        words,
        fc.option(words, { nil: null }),
        words,
        fc.stringMatching(/^[0-9]{10}$/),
        fc.nat(),
        fc.nat(),
        fc.constantFrom('upper', 'lower', 'folded', 'as-is'),
        fc.boolean(),
        (first, middle, last, phone, a, b, spelling, reversed) => {
          const person = user({ firstName: first, middleName: middle, lastName: last, phoneNumber: phone });
          const inv = invitationOf(person);
          const other = user({ firstName: 'Unrelated', lastName: 'Someone' });
          store.directory.upsertUsers([person, other]);
          store.directory.upsertInvitations([inv]);
          const fields = [first, middle ?? first, last, person.email, phone, person.userId, inv.invitationId];
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
          expect(ids({ q: spell(part) })).toContain(person.userId);
          const full = reversed ? `${last} ${first}` : `${first} ${last}`;
          expect(ids({ q: spell(full) })).toContain(person.userId);
          store.directory.removeUser(person.userId);
          store.directory.removeUser(other.userId);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('answers the issue examples', () => {
    const priya = user({
      firstName: 'Priya',
      lastName: 'Natarajan',
      email: 'priya.natarajan@northside.example',
      phoneNumber: '6175550102',
    });
    const zoe = user({ firstName: 'Zoë', lastName: 'Papadopoulos' });
    const paul = user({ firstName: 'Paul', lastName: 'Natarajan' });
    const lukasz = user({ firstName: 'Łukasz', lastName: 'Straße' });
    store.directory.upsertUsers([priya, zoe, paul, lukasz]);
    expect(ids({ q: 'lukasz strasse' })).toEqual([lukasz.userId]);
    expect(ids({ q: 'STRASSE' })).toEqual([lukasz.userId]);
    expect(ids({ q: 'natarajan p' }).sort()).toEqual([priya.userId, paul.userId].sort());
    expect(ids({ q: 'natarajan pr' })).toEqual([priya.userId]);
    expect(ids({ q: 'PRIYA' })).toEqual([priya.userId]);
    expect(ids({ q: 'ya.nata' })).toEqual([priya.userId]);
    expect(ids({ q: 'Priya.Natarajan@Northside.example' })).toEqual([priya.userId]);
    expect(ids({ q: 'priya.natarajan@northside.examplf' })).toEqual([]);
    expect(ids({ q: 'zoe' })).toEqual([zoe.userId]);
    expect(ids({ q: '(617) 555-0102' })).toEqual([priya.userId]);
    expect(ids({ q: 'nobody' })).toEqual([]);
  });

  it('filters, sorts, pages and counts over all matches', () => {
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
    store.directory.upsertUsers(many);
    const page2 = people({ q: 'zed', sort: 'name', limit: '7', page: '2' });
    expect(page2.total).toBe(30);
    expect(page2.neverSignedIn).toBe(15);
    expect(page2.people.map((p) => p.user.lastName)).toEqual(
      ['07', '08', '09', '10', '11', '12', '13'].map((n) => `Zed${n}`),
    );
    expect(people({ q: 'zed', sort: '-name', limit: '1' }).people[0]?.user.lastName).toBe('Zed29');
    expect(people({ q: 'zed', sort: '-invited', limit: '1' }).people[0]?.user.lastName).toBe('Zed29');
    expect(people({ q: 'zed', sort: 'invited', limit: '1' }).people[0]?.user.lastName).toBe('Zed00');
    expect(people({ q: 'zed', sort: '-last-sign-in', limit: '1' }).people[0]?.user.lastName).toBe('Zed00');
    const expectCount = (query: Record<string, string>, predicate: (u: User) => boolean) =>
      expect(people({ q: 'zed', ...query }).total).toBe(many.filter(predicate).length);
    expectCount({ level: 'admin' }, (u) => u.level === 'admin');
    expectCount({ role: 'Doctor' }, (u) => u.clinicRole === 'Doctor');
    expectCount({ role: 'Doctor,Registered Nurse' }, () => true);
    expectCount({ dashboard: 'yes' }, (u) => u.hasDashboardAccess);
    expectCount({ studies: 'no' }, (u) => !u.canManageStudies);
    const day = (ms: number) => iso(ms).slice(0, 10);
    expectCount(
      { invitedFrom: day(NOW - 20 * DAY), invitedTo: day(NOW - 11 * DAY) },
      (u) =>
        u.createdAt !== null &&
        u.createdAt >= `${day(NOW - 20 * DAY)}` &&
        u.createdAt < `${day(NOW - 10 * DAY)}`,
    );
  });

  it('keeps a walk resumable and removes only what a complete walk did not see', () => {
    const [a, b, c] = [user(), user(), user()];
    if (!a || !b || !c) throw new Error('three users');
    store.directory.beginRefresh();
    store.directory.savePage({ users: [a, b] }, 'cursor-2', NOW);
    expect(store.directory.refreshState()).toMatchObject({
      generation: 1,
      phase: 'users',
      cursor: 'cursor-2',
    });
    // Beginning again while a walk is under way goes on with it.
    expect(store.directory.beginRefresh()).toMatchObject({
      generation: 1,
      phase: 'users',
      cursor: 'cursor-2',
    });
    store.directory.savePage({ users: [c] }, null, NOW);
    store.directory.savePage({ invitations: [invitationOf(a), invitationOf(c)] }, null, NOW);
    expect(store.directory.refreshState()).toEqual({
      generation: 1,
      phase: 'idle',
      cursor: null,
      asOf: NOW,
      lastError: null,
    });
    expect(people().total).toBe(3);
    // The next walk does not see b: removed once it is complete, not before.
    store.directory.beginRefresh();
    store.directory.savePage({ users: [a] }, 'x', NOW + 1);
    store.directory.failRefresh('Avara did not answer.');
    expect(people().total).toBe(3);
    expect(store.directory.refreshState()).toMatchObject({ asOf: NOW, lastError: 'Avara did not answer.' });
    store.directory.savePage({ users: [c] }, null, NOW + 2);
    store.directory.savePage({ invitations: [] }, null, NOW + 2);
    expect(new Set(ids())).toEqual(new Set([a.userId, c.userId]));
    expect(people().people.every((p) => p.latestInvitation === null)).toBe(true);
    expect(store.directory.refreshState()).toMatchObject({ asOf: NOW + 2, lastError: null });
  });
});
