// Two instances on one database: two stores, each with its own connections (two PostgreSQL pools; two SQLite
// connections to one file), changing the same rows at the same moment.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { IdempotencyClaim } from '../../../src/server/store/idempotency.ts';
import { openPostgresStore } from '../../../src/server/store/pg/store.ts';
import { openSqliteStore, type Store } from '../../../src/server/store/store.ts';
import { STORE_BACKENDS, type StoreBackend } from '../../support/store-backends.ts';
import { freshPostgresUrl } from '../../support/test-database.ts';

const opened: Store[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Two stores on one new, empty database, as two instances would open it. */
async function twoInstances(backend: StoreBackend['name']): Promise<[Store, Store]> {
  let open: () => Promise<Store>;
  if (backend === 'SQLite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'va-shared-'));
    dirs.push(dir);
    open = async () => openSqliteStore(dir);
  } else {
    const url = await freshPostgresUrl('shared');
    open = () => openPostgresStore(url);
  }
  const [a, b] = await Promise.all([open(), open()]);
  opened.push(a, b);
  return [a, b];
}

const operator = (email: string, role: 'administrator' | 'viewer' = 'administrator') => ({
  email,
  displayName: email,
  role,
  passwordHash: 'scrypt$hash',
  mustChangePassword: false,
  createdAt: 1_000,
});

describe.each(STORE_BACKENDS)('two instances on one $name database', (backend) => {
  it('claims one idempotency key once: of 20 concurrent begins over both, one is new and 19 see it in flight', async () => {
    const [a, b] = await twoInstances(backend.name);
    const claim = (i: number): IdempotencyClaim => ({
      operatorId: 'opr_1',
      key: 'key-1',
      fingerprint: 'f'.repeat(64),
      claimId: `claim-${i}`,
      now: Date.now(),
      ttlMs: 3_600_000,
      leaseMs: 60_000,
    });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).idempotency.begin(claim(i))),
    );
    expect(results.filter((r) => r.kind === 'new')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'in-flight')).toHaveLength(19);
  });

  it('never lets two concurrent changes remove the last two Administrators', async () => {
    const [a, b] = await twoInstances(backend.name);
    for (let round = 0; round < 10; round += 1) {
      const first = await a.operators.create(operator(`a${round}@clinic.org`));
      const second = await a.operators.create(operator(`b${round}@clinic.org`));
      const outcomes = await Promise.all([
        a.operators.guardedChange(first.id, { role: 'viewer' }),
        b.operators.guardedChange(second.id, round % 2 === 0 ? { disabled: true } : { role: 'inviter' }),
      ]);
      expect(outcomes.map((o) => o.outcome).sort()).toEqual(['changed', 'last-administrator']);
      const administrators = (await b.operators.list()).filter(
        (o) => o.role === 'administrator' && !o.disabled,
      );
      expect(administrators).toHaveLength(1);
      // Next round: the remaining Administrator steps aside for two new ones.
      const [left] = administrators;
      if (left === undefined) throw new Error('No Administrator left.');
      await a.operators.setRole(left.id, 'viewer');
    }
  });

  it('creates one first operator when both start at once', async () => {
    for (let round = 0; round < 3; round += 1) {
      const [a, b] = await twoInstances(backend.name);
      const created = await Promise.all([
        a.operators.createFirst(operator('first-a@clinic.org')),
        b.operators.createFirst(operator('first-b@clinic.org')),
        a.identities.create(
          'https://id.clinic.org',
          `subject-${round}`,
          operator('sso@clinic.org', 'viewer'),
          1,
        ),
      ]);
      const firsts = [created[0], created[1], created[2].first ? created[2].operator : undefined];
      expect(firsts.filter((o) => o !== undefined)).toHaveLength(1);
      expect(await b.operators.count()).toBe(created[2].first ? 1 : 2);
      expect((await a.operators.list()).filter((o) => o.role === 'administrator')).toHaveLength(1);
    }
  });

  it('makes one server secret that both get', async () => {
    const [a, b] = await twoInstances(backend.name);
    const [fromA, fromB] = await Promise.all([
      a.secrets.getOrCreate('device-token-hmac', 32),
      b.secrets.getOrCreate('device-token-hmac', 32),
    ]);
    expect(fromA).toEqual(fromB);
  });
});
