import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { migrate } from '../../../src/server/store/database.ts';
import {
  createSqliteIdempotencyStore,
  type IdempotencyClaim,
  type IdempotencyStore,
  type WriteTogether,
} from '../../../src/server/store/idempotency.ts';
import { MIGRATIONS } from '../../../src/server/store/migrations.ts';
import { openPostgresStore } from '../../../src/server/store/pg/store.ts';
import type { Store } from '../../../src/server/store/store.ts';
import { STORE_BACKENDS } from '../../support/store-backends.ts';
import { freshPostgresUrl } from '../../support/test-database.ts';

const HOUR = 3_600_000;

/** The idempotency store of one backend, SQL run around it, and a write of the caller's own (WriteTogether). */
interface Subject {
  store: IdempotencyStore;
  rawSql(sql: string): Promise<unknown[]>;
  /** A write of the caller's own: through the same SQLite database (it joins the transaction), in memory otherwise. */
  note(text: string): WriteTogether;
  notes(): string[];
  close(): Promise<void>;
}

async function openSqlite(): Promise<Subject> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'va-idem-'));
  const db = new Database(path.join(dir, 'test.sqlite'));
  migrate(db, MIGRATIONS);
  db.exec('CREATE TABLE notes (text TEXT NOT NULL)');
  return {
    store: createSqliteIdempotencyStore(db),
    async rawSql(sql) {
      const statement = db.prepare(sql);
      return statement.reader ? statement.all() : (statement.run(), []);
    },
    note: (text) => () => {
      db.prepare('INSERT INTO notes (text) VALUES (?)').run(text);
    },
    notes: () => z.array(z.string()).parse(db.prepare('SELECT text FROM notes ORDER BY rowid').pluck().all()),
    async close() {
      if (db.open) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function openPostgres(): Promise<Subject> {
  const url = await freshPostgresUrl('idem');
  const whole: Store = await openPostgresStore(url);
  const written: string[] = [];
  return {
    store: whole.idempotency,
    async rawSql(sql) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query(sql)).rows;
      } finally {
        await client.end();
      }
    },
    note: (text) => () => {
      written.push(text);
    },
    notes: () => [...written],
    close: () => whole.close(),
  };
}

let subject: Subject;
let store: IdempotencyStore;
afterEach(async () => {
  await subject.close();
});

const claim = (over: Partial<IdempotencyClaim> = {}): IdempotencyClaim => ({
  operatorId: 'opr_1',
  key: 'key-1',
  fingerprint: 'f'.repeat(64),
  claimId: 'claim-a',
  now: 1_000,
  ttlMs: 24 * HOUR,
  leaseMs: 60_000,
  ...over,
});
const ref = (claimId = 'claim-a') => ({ operatorId: 'opr_1', key: 'key-1', claimId });
const created = { status: 201, body: '{"userId":"usr_0123456789abcdef0123456789abcdef"}' };

describe.each(STORE_BACKENDS)('the $name idempotency store', (backend) => {
  beforeEach(async () => {
    subject = backend.name === 'SQLite' ? await openSqlite() : await openPostgres();
    store = subject.store;
  });

  it('migrates as the schema version after the first', async () => {
    expect(MIGRATIONS.find((m) => m.name === 'idempotency keys')?.version).toBe(2);
    const [row] = await subject.rawSql('SELECT MAX(version) AS version FROM schema_migrations');
    expect(row).toMatchObject({ version: expect.any(Number) });
    expect(z.object({ version: z.number() }).parse(row).version).toBeGreaterThanOrEqual(2);
  });

  it('claims a new key, answers in-flight meanwhile, then replays the stored answer', async () => {
    expect(await store.begin(claim())).toEqual({ kind: 'new' });
    expect(await store.begin(claim({ claimId: 'claim-b', now: 2_000 }))).toEqual({ kind: 'in-flight' });
    expect(await store.complete(ref(), created, 3_000)).toBe(true);
    expect(await store.begin(claim({ claimId: 'claim-c', now: 4_000 }))).toEqual({
      kind: 'replay',
      response: created,
    });
    expect(await store.find('opr_1', 'key-1')).toEqual({
      operatorId: 'opr_1',
      key: 'key-1',
      fingerprint: 'f'.repeat(64),
      state: 'completed',
      response: created,
      createdAt: 1_000,
      updatedAt: 3_000,
      expiresAt: 1_000 + 24 * HOUR,
      leaseUntil: 61_000,
      claimId: 'claim-a',
    });
  });

  it('refuses the key for a different request, in any state', async () => {
    await store.begin(claim());
    expect(await store.begin(claim({ fingerprint: 'e'.repeat(64), claimId: 'b' }))).toEqual({
      kind: 'mismatch',
    });
    await store.complete(ref(), created, 2_000);
    expect(await store.begin(claim({ fingerprint: 'e'.repeat(64), claimId: 'c' }))).toEqual({
      kind: 'mismatch',
    });
  });

  it('keeps keys per operator: the same key of another operator is another request', async () => {
    await store.begin(claim());
    expect(await store.begin(claim({ operatorId: 'opr_2', fingerprint: 'e'.repeat(64) }))).toEqual({
      kind: 'new',
    });
  });

  it('resumes an unknown outcome: the next request takes the claim and must check first', async () => {
    await store.begin(claim());
    expect(await store.markUnknown(ref(), 2_000)).toBe(true);
    expect((await store.find('opr_1', 'key-1'))?.state).toBe('unknown');
    expect(await store.begin(claim({ claimId: 'claim-b', now: 3_000 }))).toEqual({
      kind: 'resume',
      createdAt: 1_000,
    });
    // While the resumed request runs, the key is in flight again.
    expect(await store.begin(claim({ claimId: 'claim-c', now: 3_500 }))).toEqual({ kind: 'in-flight' });
    expect(await store.complete(ref('claim-b'), created, 4_000)).toBe(true);
    expect(await store.begin(claim({ claimId: 'claim-d', now: 5_000 }))).toMatchObject({ kind: 'replay' });
  });

  it('treats a claim past its lease as abandoned, and then ignores its late completion', async () => {
    await store.begin(claim());
    expect(await store.begin(claim({ claimId: 'claim-b', now: 61_000 }))).toEqual({
      kind: 'resume',
      createdAt: 1_000,
    });
    expect(await store.complete(ref('claim-a'), created, 62_000)).toBe(false);
    expect(await store.markUnknown(ref('claim-a'), 62_000)).toBe(false);
    expect(await store.release(ref('claim-a'))).toBe(false);
    expect((await store.find('opr_1', 'key-1'))?.state).toBe('in-flight');
  });

  it('releases a key so a retry runs afresh', async () => {
    await store.begin(claim());
    expect(await store.release(ref())).toBe(true);
    expect(await store.find('opr_1', 'key-1')).toBeUndefined();
    expect(await store.begin(claim({ claimId: 'claim-b', fingerprint: 'e'.repeat(64) }))).toEqual({
      kind: 'new',
    });
  });

  it('never releases or overwrites a completed key', async () => {
    await store.begin(claim());
    await store.complete(ref(), created, 2_000);
    expect(await store.release(ref())).toBe(false);
    expect(await store.markUnknown(ref(), 3_000)).toBe(false);
    expect(await store.complete(ref(), { status: 500, body: '{}' }, 3_000)).toBe(false);
    expect((await store.find('opr_1', 'key-1'))?.response).toEqual(created);
  });

  it('after a restart, turns claims still in flight into unknown outcomes', async () => {
    await store.begin(claim());
    await store.begin(claim({ key: 'key-2' }));
    await store.complete({ ...ref(), key: 'key-2' }, created, 2_000);
    expect(await store.abandonInFlight(3_000)).toBe(1);
    expect((await store.find('opr_1', 'key-1'))?.state).toBe('unknown');
    expect((await store.find('opr_1', 'key-2'))?.state).toBe('completed');
  });

  it('forgets keys once expired: a new request may use the key, and purge deletes them', async () => {
    await store.begin(claim({ ttlMs: HOUR }));
    await store.complete(ref(), created, 2_000);
    await store.begin(claim({ key: 'key-2', ttlMs: 3 * HOUR }));
    expect(
      await store.begin(claim({ claimId: 'b', now: 1_000 + HOUR, ttlMs: HOUR, fingerprint: 'e'.repeat(64) })),
    ).toEqual({
      kind: 'new',
    });
    expect(await store.purgeExpired(1_000 + 2 * HOUR)).toBe(1);
    expect(await store.find('opr_1', 'key-1')).toBeUndefined();
    expect(await store.find('opr_1', 'key-2')).toBeDefined();
    expect(await store.purgeExpired(1_000 + 3 * HOUR)).toBe(1);
  });

  it('refuses an unknown state at the database', async () => {
    await expect(
      subject.rawSql(
        `INSERT INTO idempotency_keys (operator_id, idempotency_key, fingerprint, state, created_at, updated_at,
           expires_at, lease_until, claim_id) VALUES ('o', 'k', 'f', 'maybe', 1, 1, 2, 2, 'c')`,
      ),
    ).rejects.toThrow(/check constraint/i);
  });

  it('claims atomically: of many concurrent begins with one key, exactly one is new', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.begin(claim({ claimId: `claim-${i}` }))),
    );
    expect(results.filter((r) => r.kind === 'new')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'in-flight')).toHaveLength(19);
  });

  describe('writes together with a key (one transaction with SQLite)', () => {
    const note = (text: string) => subject.note(text);
    const notes = () => subject.notes();

    it('runs them only when the key is claimed (new or resumed), never for a replay, a mismatch or in flight', async () => {
      expect(await store.begin(claim(), note('new'))).toEqual({ kind: 'new' });
      expect(await store.begin(claim({ claimId: 'b', now: 2_000 }), note('in-flight'))).toEqual({
        kind: 'in-flight',
      });
      expect(
        await store.begin(claim({ claimId: 'c', now: 2_000, fingerprint: 'e'.repeat(64) }), note('mismatch')),
      ).toEqual({ kind: 'mismatch' });
      expect(await store.markUnknown(ref(), 3_000, note('unknown'))).toBe(true);
      expect(await store.begin(claim({ claimId: 'd', now: 4_000 }), note('resume'))).toEqual({
        kind: 'resume',
        createdAt: 1_000,
      });
      expect(await store.complete(ref('d'), created, 5_000, note('complete'))).toBe(true);
      expect(await store.begin(claim({ claimId: 'e', now: 6_000 }), note('replay'))).toEqual({
        kind: 'replay',
        response: created,
      });
      expect(notes()).toEqual(['new', 'unknown', 'resume', 'complete']);
    });

    it('undoes the claim when they fail, and keeps the claim when the key is changed without them', async () => {
      const failing = () => {
        note('lost')();
        throw new Error('disk full');
      };
      await expect(store.begin(claim(), failing)).rejects.toThrow('disk full');
      expect(await store.find('opr_1', 'key-1')).toBeUndefined();
      // The caller's own write is undone with the claim where they share a transaction (SQLite), not otherwise.
      const lost = backend.name === 'SQLite' ? [] : ['lost'];
      expect(notes()).toEqual(lost);

      expect(await store.begin(claim())).toEqual({ kind: 'new' });
      await expect(store.complete(ref(), created, 2_000, failing)).rejects.toThrow('disk full');
      expect((await store.find('opr_1', 'key-1'))?.state).toBe('in-flight');
      await expect(store.markUnknown(ref(), 2_000, failing)).rejects.toThrow('disk full');
      await expect(store.release(ref(), failing)).rejects.toThrow('disk full');
      expect(await store.find('opr_1', 'key-1')).toMatchObject({ state: 'in-flight', response: null });
      expect(await store.release(ref(), note('released'))).toBe(true);
      expect(await store.find('opr_1', 'key-1')).toBeUndefined();
      expect(notes()).toEqual([...lost, ...lost, ...lost, ...lost, 'released']);
    });

    it('still runs them when the claim is no longer held (the key is left alone)', async () => {
      expect(await store.begin(claim())).toEqual({ kind: 'new' });
      expect(await store.complete(ref('someone-else'), created, 2_000, note('audit'))).toBe(false);
      expect((await store.find('opr_1', 'key-1'))?.state).toBe('in-flight');
      expect(notes()).toEqual(['audit']);
    });
  });
});
