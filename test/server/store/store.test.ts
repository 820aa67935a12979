import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DATABASE_FILE,
  SchemaTooNewError,
  migrate,
  openDatabase,
  schemaVersion,
} from '../../../src/server/store/database.ts';
import { MIGRATIONS } from '../../../src/server/store/migrations.ts';
import { NO_PASSWORD } from '../../../src/server/store/identities.ts';
import { OperatorExistsError } from '../../../src/server/store/operators.ts';
import { hashSessionId, newSessionId } from '../../../src/server/store/sessions.ts';
import { auditText } from '../../../src/server/store/audit.ts';
import { openPostgresStore } from '../../../src/server/store/pg/store.ts';
import { openSqliteStore, type Store } from '../../../src/server/store/store.ts';
import { STORE_BACKENDS, type StoreBackend } from '../../support/store-backends.ts';
import { freshPostgresUrl } from '../../support/test-database.ts';

let dir: string;
let store: Store;
/** Reopens the same database (a restart). */
let reopen: () => Promise<Store>;
/** Runs SQL on the database directly, around the store: rows as objects. */
let rawSql: (sql: string) => Promise<unknown[]>;

/** A store on a file (SQLite) or its own database (PostgreSQL) that can be reopened and read around the store. */
async function openOwn(backend: StoreBackend['name']): Promise<void> {
  dir = mkdtempSync(path.join(os.tmpdir(), 'va-store-'));
  if (backend === 'SQLite') {
    reopen = async () => openSqliteStore(dir);
    rawSql = async (sql) => {
      const db = new Database(path.join(dir, DATABASE_FILE));
      try {
        const statement = db.prepare(sql);
        return statement.reader ? statement.all() : (statement.run(), []);
      } finally {
        db.close();
      }
    };
  } else {
    const url = await freshPostgresUrl('store');
    reopen = async () => openPostgresStore(url);
    rawSql = async (sql) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query(sql)).rows;
      } finally {
        await client.end();
      }
    };
  }
  store = await reopen();
}

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const newOperator = (email: string, createdAt = 1000) => ({
  email,
  displayName: ' Dana Scully ',
  role: 'administrator' as const,
  passwordHash: 'scrypt$hash',
  mustChangePassword: false,
  createdAt,
});

const LATEST = Math.max(...MIGRATIONS.map((m) => m.version));
describe('the SQLite file', () => {
  beforeEach(async () => {
    await openOwn('SQLite');
  });

  it('creates DATA_DIR/viewer-admin.sqlite in WAL mode, readable by the owner only, at the latest schema', () => {
    const file = path.join(dir, DATABASE_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(schemaVersion(db)).toBe(MIGRATIONS.at(-1)?.version);
    db.close();
  });

  it('applies each migration once, and reopening changes nothing', async () => {
    await store.close();
    store = openSqliteStore(dir);
    const db = new Database(path.join(dir, DATABASE_FILE));
    const rows = db.prepare('SELECT version FROM schema_migrations').pluck().all();
    expect(rows).toEqual(MIGRATIONS.map((m) => m.version));
    db.close();
  });

  it('applies later migrations in order', () => {
    const db = new Database(':memory:');
    const latest = LATEST;
    const version = migrate(db, [
      ...MIGRATIONS,
      { version: latest + 2, name: 'two', sql: 'CREATE TABLE two (x INTEGER)' },
      { version: latest + 1, name: 'one', sql: 'CREATE TABLE one (x INTEGER)' },
    ]);
    expect(version).toBe(latest + 2);
    expect(db.prepare('SELECT name FROM schema_migrations ORDER BY version').pluck().all()).toEqual([
      ...MIGRATIONS.map((m) => m.name),
      'one',
      'two',
    ]);
    db.close();
  });

  it('leaves no half-applied migration behind when one fails', () => {
    const db = new Database(':memory:');
    migrate(db);
    expect(() =>
      migrate(db, [
        ...MIGRATIONS,
        { version: LATEST + 1, name: 'bad', sql: 'CREATE TABLE ok (x); SELECT * FROM missing' },
      ]),
    ).toThrow();
    expect(schemaVersion(db)).toBe(LATEST);
    expect(db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'ok'").pluck().get()).toBe(0);
    db.close();
  });

  it('brings a database of the previous version up to date, keeping its audit trail', () => {
    const db = new Database(':memory:');
    migrate(
      db,
      MIGRATIONS.filter((m) => m.version <= 2),
    );
    db.prepare("INSERT INTO audit_log (at, action, outcome) VALUES (1, 'session.sign-in', 'failure')").run();
    expect(migrate(db)).toBe(MIGRATIONS.at(-1)?.version);
    expect(db.prepare('SELECT action, client_address FROM audit_log').all()).toEqual([
      { action: 'session.sign-in', client_address: null },
    ]);
    db.close();
  });

  it('refuses a database from a newer version', async () => {
    await store.close();
    const db = new Database(path.join(dir, DATABASE_FILE));
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, ?, 0)').run('future');
    db.close();
    expect(() => openDatabase(dir)).toThrow(SchemaTooNewError);
    store = openSqliteStore(':memory:');
  });

  it('makes every operator from before roles an Administrator (they could do everything)', () => {
    const db = new Database(':memory:');
    migrate(
      db,
      MIGRATIONS.filter((m) => m.version < 7),
    );
    db.prepare(
      `INSERT INTO operators (id, email, display_name, password_hash, disabled, must_change_password, created_at)
       VALUES ('opr_old', 'old@clinic.org', 'Old', 'scrypt$x', 0, 0, 1)`,
    ).run();
    migrate(db);
    expect(db.prepare('SELECT role FROM operators').pluck().all()).toEqual(['administrator']);
    db.close();
  });
});

describe.each(STORE_BACKENDS)('the $name store', (backend) => {
  beforeEach(async () => {
    await openOwn(backend.name);
  });

  describe('operator store', () => {
    it('creates, finds (email case-insensitively) and lists operators', async () => {
      const created = await store.operators.create(newOperator('Dana@Clinic.org'));
      expect(created).toMatchObject({
        email: 'dana@clinic.org',
        displayName: 'Dana Scully',
        disabled: false,
        mustChangePassword: false,
        createdAt: 1000,
        lastSignInAt: null,
      });
      expect(created.id).toMatch(/^opr_[0-9a-f]{32}$/);
      expect(await store.operators.findByEmail('DANA@clinic.ORG')).toEqual(created);
      expect(await store.operators.findById(created.id)).toEqual(created);
      expect(await store.operators.findById('opr_missing')).toBeUndefined();
      await store.operators.create(newOperator('fox@clinic.org', 2000));
      expect((await store.operators.list()).map((o) => o.email)).toEqual([
        'dana@clinic.org',
        'fox@clinic.org',
      ]);
      expect(await store.operators.count()).toBe(2);
    });

    it('finds an operator by any spelling of their e-mail’s case and surrounding spaces, and no one else', async () => {
      const dana = await store.operators.create(newOperator('dana.scully@clinic.org'));
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.boolean(), { minLength: 22, maxLength: 22 }),
          fc.constantFrom('', ' ', '\t', '  '),
          async (upper, pad) => {
            const spelled = [...'dana.scully@clinic.org']
              .map((c, i) => (upper[i] ? c.toUpperCase() : c))
              .join('');
            expect(await store.operators.findByEmail(`${pad}${spelled}${pad}`)).toEqual(dana);
            expect(await store.operators.findByEmail(`${spelled}x`)).toBeUndefined();
          },
        ),
        { numRuns: 30 },
      );
    });

    it('refuses a second operator with the same email in any case', async () => {
      await store.operators.create(newOperator('dana@clinic.org'));
      await expect(store.operators.create(newOperator('DANA@CLINIC.ORG'))).rejects.toThrow(
        OperatorExistsError,
      );
    });

    it('createFirst creates only when there is no operator at all', async () => {
      expect(await store.operators.createFirst(newOperator('first@clinic.org'))).toMatchObject({
        email: 'first@clinic.org',
      });
      expect(await store.operators.createFirst(newOperator('second@clinic.org'))).toBeUndefined();
      expect(await store.operators.count()).toBe(1);
    });

    it('disables, changes passwords and records sign-ins', async () => {
      const { id } = await store.operators.create(newOperator('dana@clinic.org'));
      expect(await store.operators.setDisabled(id, true)).toBe(true);
      expect(await store.operators.setPassword(id, 'scrypt$new', true)).toBe(true);
      await store.operators.recordSignIn(id, 5000);
      expect(await store.operators.findById(id)).toMatchObject({
        disabled: true,
        passwordHash: 'scrypt$new',
        mustChangePassword: true,
        lastSignInAt: 5000,
      });
      expect(await store.operators.setDisabled('opr_missing', true)).toBe(false);
    });

    it('keeps each operator’s role, changes it, and refuses a role it does not know', async () => {
      const { id } = await store.operators.create({ ...newOperator('dana@clinic.org'), role: 'viewer' });
      expect(await store.operators.findById(id)).toMatchObject({ role: 'viewer' });
      expect(await store.operators.setRole(id, 'inviter')).toBe(true);
      expect(await store.operators.findById(id)).toMatchObject({ role: 'inviter' });
      expect(await store.operators.setRole('opr_missing', 'viewer')).toBe(false);
      await expect(
        store.operators.create({ ...newOperator('fox@clinic.org'), role: 'owner' as 'viewer' }),
      ).rejects.toThrow(/check constraint/i);
    });
  });

  describe('identity store', () => {
    const issuer = 'https://id.clinic.org';
    const profile = (email: string, role: 'viewer' | 'inviter' = 'viewer') => ({
      email,
      displayName: ' Dana Scully ',
      role,
    });

    it('creates the first operator as an Administrator, links once, and finds by identity', async () => {
      const { operator, first } = await store.identities.create(
        issuer,
        'sub-1',
        profile('Dana@Clinic.org'),
        10,
      );
      expect(first).toBe(true);
      expect(operator).toMatchObject({
        email: 'dana@clinic.org',
        displayName: 'Dana Scully',
        role: 'administrator',
        passwordHash: NO_PASSWORD,
        mustChangePassword: false,
      });
      expect(await store.identities.find(issuer, 'sub-1')).toEqual(operator);
      expect(await store.identities.find(issuer, 'sub-2')).toBeUndefined();
      const second = await store.identities.create(issuer, 'sub-2', profile('fox@clinic.org', 'inviter'), 11);
      expect(second).toMatchObject({ first: false, operator: { role: 'inviter' } });
      await expect(store.identities.create(issuer, 'sub-3', profile('DANA@clinic.org'), 12)).rejects.toThrow(
        OperatorExistsError,
      );
      expect(await store.identities.find(issuer, 'sub-3')).toBeUndefined();
      expect(await store.identities.link(issuer, 'sub-4', operator.id, 13)).toBe('already-linked');
    });

    it('retires a password the operator was still to replace when linking, and keeps one they chose', async () => {
      const given = await store.operators.create({
        ...newOperator('given@clinic.org'),
        mustChangePassword: true,
      });
      const chosen = await store.operators.create(newOperator('chosen@clinic.org'));
      expect(await store.identities.link(issuer, 'sub-given', given.id, 20)).toBe('password-retired');
      expect(await store.identities.link(issuer, 'sub-chosen', chosen.id, 21)).toBe('linked');
      expect(await store.operators.findById(given.id)).toMatchObject({
        passwordHash: NO_PASSWORD,
        mustChangePassword: false,
      });
      expect(await store.operators.findById(chosen.id)).toMatchObject({ passwordHash: 'scrypt$hash' });
      expect(await store.identities.find(issuer, 'sub-chosen')).toMatchObject({ id: chosen.id });
    });

    it('updates name, e-mail and role from the claims, refusing another operator’s e-mail', async () => {
      const dana = await store.operators.create(newOperator('dana@clinic.org'));
      await store.operators.create(newOperator('fox@clinic.org'));
      expect(await store.identities.update(dana.id, profile(' Scully@Clinic.org ', 'inviter'))).toMatchObject(
        {
          id: dana.id,
          email: 'scully@clinic.org',
          displayName: 'Dana Scully',
          role: 'inviter',
        },
      );
      await expect(store.identities.update(dana.id, profile('FOX@clinic.org'))).rejects.toThrow(
        OperatorExistsError,
      );
      expect(await store.identities.update('opr_missing', profile('x@clinic.org'))).toBeUndefined();
    });
  });

  describe('session store', () => {
    it('stores only the hash of the session id', async () => {
      const { id: operatorId } = await store.operators.create(newOperator('dana@clinic.org'));
      const sessionId = newSessionId();
      expect(Buffer.from(sessionId, 'base64url')).toHaveLength(32);
      const idHash = hashSessionId(sessionId);
      // SHA-256, hex: the hashes already stored must keep matching.
      expect(hashSessionId('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
      await store.sessions.create({ idHash, operatorId, createdAt: 1, lastSeenAt: 1, expiresAt: 100 });
      expect(await store.sessions.find(idHash)).toEqual({
        idHash,
        operatorId,
        createdAt: 1,
        lastSeenAt: 1,
        expiresAt: 100,
      });
      expect(await store.sessions.find(sessionId)).toBeUndefined();
      expect(JSON.stringify(await rawSql('SELECT * FROM sessions'))).not.toContain(sessionId);
    });

    it('finds a session together with its operator, as find and findById would', async () => {
      const operator = await store.operators.create(newOperator('dana@clinic.org'));
      const idHash = hashSessionId(newSessionId());
      await store.sessions.create({
        idHash,
        operatorId: operator.id,
        createdAt: 1,
        lastSeenAt: 2,
        expiresAt: 100,
      });
      await store.operators.setDisabled(operator.id, true);
      await store.operators.recordSignIn(operator.id, 3);
      expect(await store.sessions.findWithOperator(idHash)).toEqual({
        session: await store.sessions.find(idHash),
        operator: await store.operators.findById(operator.id),
      });
      expect((await store.sessions.findWithOperator(idHash))?.operator).toMatchObject({
        disabled: true,
        lastSignInAt: 3,
      });
      expect(await store.sessions.findWithOperator(hashSessionId(newSessionId()))).toBeUndefined();
    });

    it('touches (never backwards), revokes one, revokes all of an operator, and sweeps expired', async () => {
      const a = await store.operators.create(newOperator('a@clinic.org'));
      const b = await store.operators.create(newOperator('b@clinic.org'));
      const make = (operatorId: string, lastSeenAt: number, expiresAt: number) => {
        const idHash = hashSessionId(newSessionId());
        return store.sessions
          .create({ idHash, operatorId, createdAt: 0, lastSeenAt, expiresAt })
          .then(() => idHash);
      };
      const a1 = await make(a.id, 10, 1000);
      const a2 = await make(a.id, 10, 1000);
      const b1 = await make(b.id, 10, 1000);
      const old = await make(b.id, 1, 1000);
      const ended = await make(b.id, 10, 50);
      await store.sessions.touch(a1, 20);
      await store.sessions.touch(a1, 15);
      expect((await store.sessions.find(a1))?.lastSeenAt).toBe(20);
      await store.sessions.revoke(a1);
      expect(await store.sessions.find(a1)).toBeUndefined();
      expect(await store.sessions.revokeAllFor(a.id)).toBe(1);
      expect(await store.sessions.find(a2)).toBeUndefined();
      expect(await store.sessions.deleteExpired(60, 5)).toBe(2);
      expect(await store.sessions.find(old)).toBeUndefined();
      expect(await store.sessions.find(ended)).toBeUndefined();
      expect(await store.sessions.find(b1)).toBeDefined();
    });
  });

  describe('secret store', () => {
    it('makes a secret once and gives the same one back, also after reopening', async () => {
      const first = await store.secrets.getOrCreate('device-token-hmac', 32);
      expect(first).toHaveLength(32);
      expect(await store.secrets.getOrCreate('device-token-hmac', 32)).toEqual(first);
      expect(await store.secrets.getOrCreate('another', 32)).not.toEqual(first);
      await store.close();
      store = await reopen();
      expect(await store.secrets.getOrCreate('device-token-hmac', 32)).toEqual(first);
    });
  });

  describe('audit store', () => {
    const entry = {
      operatorId: 'opr_1',
      operatorEmail: 'dana@clinic.org',
      requestId: 'req-1',
    };

    it('appends pending records and completes them once', async () => {
      const id = await store.audit.append({
        ...entry,
        at: 100,
        action: 'user.invite',
        targetEmail: 'new@clinic.org',
        outcome: 'pending',
      });
      await store.audit.complete(id, {
        outcome: 'success',
        upstreamStatus: 201,
        targetUserId: 'usr_0123456789abcdef0123456789abcdef',
        at: 150,
      });
      await expect(store.audit.complete(id, { outcome: 'failure', at: 160 })).rejects.toThrow(/not pending/);
      const [record] = await store.audit.list({}, { limit: 10 });
      expect(record).toEqual({
        id,
        at: 100,
        operatorId: 'opr_1',
        operatorEmail: 'dana@clinic.org',
        action: 'user.invite',
        targetUserId: 'usr_0123456789abcdef0123456789abcdef',
        targetInvitationId: null,
        targetOperatorId: null,
        targetEmail: 'new@clinic.org',
        requestId: 'req-1',
        outcome: 'success',
        upstreamStatus: 201,
        detail: null,
        clientAddress: null,
        completedAt: 150,
        changes: [],
      });
    });

    it('keeps what an edit changed, each value on one line and short; none when an edit recorded none', async () => {
      const id = await store.audit.append({ ...entry, at: 1, action: 'user.update', outcome: 'pending' });
      await store.audit.complete(id, {
        outcome: 'success',
        at: 2,
        changes: [
          { field: 'clinicRole', from: 'Radiologist', to: 'Cardiologist' },
          { field: 'middleName', from: 'Line\nbreak', to: null },
          { field: 'lastName', from: 'x'.repeat(300), to: 'Short' },
        ],
      });
      const [record] = await store.audit.list({}, { limit: 1 });
      expect(record?.changes).toEqual([
        { field: 'clinicRole', from: 'Radiologist', to: 'Cardiologist' },
        { field: 'middleName', from: 'Line break', to: null },
        { field: 'lastName', from: `${'x'.repeat(199)}…`, to: 'Short' },
      ]);
      const other = await store.audit.append({ ...entry, at: 3, action: 'user.update', outcome: 'pending' });
      await store.audit.complete(other, { outcome: 'failure', at: 4 });
      const [none] = await store.audit.list({}, { limit: 1 });
      expect(none?.changes).toEqual([]);
    });

    it('keeps the client address of a sign-in, on one line and short', async () => {
      await store.audit.append({
        ...entry,
        at: 1,
        action: 'session.sign-in',
        outcome: 'failure',
        clientAddress: '2001:db8::7',
      });
      await store.audit.append({
        ...entry,
        at: 2,
        action: 'session.sign-in',
        outcome: 'failure',
        clientAddress: `1\n${'9'.repeat(100)}`,
      });
      const [forged, kept] = await store.audit.list({}, { limit: 2 });
      expect(kept?.clientAddress).toBe('2001:db8::7');
      expect(forged?.clientAddress).toMatch(/^1 9+…$/);
      expect(forged?.clientAddress).toHaveLength(64);
    });

    it('lists newest first with filters and keyset paging', async () => {
      const day = 86_400_000;
      const t0 = Date.UTC(2026, 0, 1);
      for (let i = 0; i < 10; i += 1) {
        await store.audit.append({
          ...entry,
          operatorId: i % 2 === 0 ? 'opr_even' : 'opr_odd',
          at: t0 + i * day,
          action: i % 3 === 0 ? 'session.sign-in' : 'user.invite',
          outcome: 'success',
        });
      }
      const all = await store.audit.list({}, { limit: 100 });
      expect(all.map((r) => r.at)).toEqual([...all.map((r) => r.at)].sort((a, b) => b - a));
      const page1 = await store.audit.list({}, { limit: 4 });
      const page2 = await store.audit.list({}, { limit: 4, beforeId: page1.at(-1)?.id });
      expect([...page1, ...page2].map((r) => r.id)).toEqual(all.slice(0, 8).map((r) => r.id));
      expect((await store.audit.list({ operatorId: 'opr_even' }, { limit: 100 })).length).toBe(5);
      expect((await store.audit.list({ action: 'session.sign-in' }, { limit: 100 })).length).toBe(4);
      const ranged = await store.audit.list({ fromMs: t0 + 2 * day, toMs: t0 + 5 * day }, { limit: 100 });
      expect(ranged.map((r) => (r.at - t0) / day)).toEqual([4, 3, 2]);
    });

    it('finds the records about one person: by user, by their invitations, and failed invites of their e-mails', async () => {
      const userId = 'usr_0123456789abcdef0123456789abcdef';
      const append = (at: number, over: Partial<Parameters<Store['audit']['append']>[0]>) =>
        store.audit.append({ ...entry, at, action: 'user.invite', outcome: 'success', ...over });
      const invited = await append(1, {
        targetUserId: userId,
        targetInvitationId: 'inv_1',
        targetEmail: 'Ann@Clinic.org',
      });
      const revoked = await append(2, { action: 'invitation.revoke', targetInvitationId: 'inv_1' });
      const failed = await append(3, { outcome: 'failure', targetEmail: 'ANN@clinic.org' });
      const edited = await append(4, { action: 'user.update', targetUserId: userId });
      await append(5, {
        targetUserId: 'usr_other',
        targetInvitationId: 'inv_2',
        targetEmail: 'bob@clinic.org',
      });
      await append(6, { action: 'user.update', targetEmail: 'ann@clinic.org' });
      await append(7, { outcome: 'failure', targetEmail: 'bob@clinic.org' });
      const keys = await store.audit.keysOf(userId);
      expect(keys).toEqual({ invitationIds: ['inv_1'], emails: ['Ann@Clinic.org'] });
      const person = { userId, ...keys };
      const ids = async (page: { beforeId?: number; limit: number }) =>
        (await store.audit.list({ person }, page)).map((r) => r.id);
      expect(await ids({ limit: 100 })).toEqual([edited, failed, revoked, invited]);
      expect(await ids({ limit: 2, beforeId: failed })).toEqual([revoked, invited]);
      expect(await store.audit.keysOf('usr_nobody')).toEqual({ invitationIds: [], emails: [] });
      expect(
        await store.audit.list(
          { person: { userId: 'usr_nobody', invitationIds: [], emails: [] } },
          { limit: 9 },
        ),
      ).toEqual([]);
    });

    it('keeps text fields on one line and short', async () => {
      expect(auditText('line one\nforged line\r\n\u2028x')).toBe('line one forged line x');
      expect(auditText('x'.repeat(500))).toHaveLength(200);
      expect(auditText('  \n ')).toBeNull();
      const id = await store.audit.append({
        ...entry,
        at: 1,
        action: 'session.sign-in',
        outcome: 'failure',
        detail: 'bad\npassword',
      });
      expect((await store.audit.list({}, { limit: 1 }))[0]).toMatchObject({ id, detail: 'bad password' });
    });

    it('refuses an unknown outcome at the database', async () => {
      await expect(
        rawSql("INSERT INTO audit_log (at, action, outcome) VALUES (1, 'x', 'maybe')"),
      ).rejects.toThrow(/check constraint/i);
    });
  });
});
