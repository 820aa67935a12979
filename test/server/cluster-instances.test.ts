// Two BFF instances on one PostgreSQL database and one sandbox, in this process: what one instance does to sessions,
// operators and idempotency keys holds on the other at once.
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../src/server/store/pg/store.ts';
import { openSqliteStore, type Store } from '../../src/server/store/store.ts';
import { startBff, startStack, type Stack } from '../support/stack.ts';
import { freshPostgresUrl } from '../support/test-database.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse().splice(0)) await step();
});

/**
 * One instance's store on the shared database. The bulk and directory stores are this instance's own (SQLite in
 * memory): their PostgreSQL versions are another change, and nothing here uses them.
 */
async function instanceStore(url: string): Promise<Store> {
  const shared = await openPostgresStore(url);
  const own = openSqliteStore(':memory:');
  const store: Store = {
    kind: shared.kind,
    operators: shared.operators,
    sessions: shared.sessions,
    audit: shared.audit,
    idempotency: shared.idempotency,
    secrets: shared.secrets,
    identities: shared.identities,
    bulk: own.bulk,
    directory: own.directory,
    ping: () => shared.ping(),
    async close() {
      await shared.close();
      await own.close();
    },
  };
  cleanup.push(() => store.close());
  return store;
}

async function instance(stack: Stack, store: Store): Promise<string> {
  const bff = await startBff({ upstreamUrl: stack.sandboxUrl, apiKey: stack.sandboxKey, store });
  cleanup.push(() => bff.close());
  return bff.url;
}

describe('an instance starting', () => {
  const claim = (now: number) => ({
    operatorId: 'opr_other',
    key: 'key-1',
    fingerprint: 'f'.repeat(64),
    claimId: 'claim-of-another-instance',
    now,
    ttlMs: 3_600_000,
    leaseMs: 60_000,
  });

  it('leaves the claims of instances still running in flight on PostgreSQL (their leases decide)', async () => {
    const stack = await startStack({ admin: 'none' });
    cleanup.push(() => stack.close());
    const url = await freshPostgresUrl('cluster');
    const running = await instanceStore(url);
    expect(await running.idempotency.begin(claim(Date.now()))).toEqual({ kind: 'new' });
    await instance(stack, await instanceStore(url));
    expect(await running.idempotency.find('opr_other', 'key-1')).toMatchObject({ state: 'in-flight' });
  });

  it('turns claims still in flight into unknown outcomes on SQLite (they were its previous process’s)', async () => {
    const stack = await startStack({ admin: 'none' });
    cleanup.push(() => stack.close());
    const store = openSqliteStore(':memory:');
    cleanup.push(() => store.close());
    expect(await store.idempotency.begin(claim(Date.now()))).toEqual({ kind: 'new' });
    await instance(stack, store);
    expect(await store.idempotency.find('opr_other', 'key-1')).toMatchObject({ state: 'unknown' });
  });
});
