// Two BFF instances on one PostgreSQL database and one sandbox, in this process: what one instance does to sessions,
// operators and idempotency keys holds on the other at once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { openPostgresStore } from '../../src/server/store/pg/store.ts';
import { openSqliteStore, type Store } from '../../src/server/store/store.ts';
import { expectProblem } from '../support/http.ts';
import { newPerson } from '../support/people.ts';
import { TEST_OPERATOR, clientFor, signIn, type SignedInClient } from '../support/session.ts';
import { startBff, startStack, type Stack } from '../support/stack.ts';
import { freshPostgresUrl } from '../support/test-database.ts';
import { expectExactlyOneInvitation, invite, newKey } from './reliability/reliability-support.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse().splice(0)) await step();
});

/** One instance's store (its own pool) on the shared database. */
async function instanceStore(url: string): Promise<Store> {
  const store = await openPostgresStore(url);
  cleanup.push(() => store.close());
  return store;
}

async function instance(stack: Stack, store: Store): Promise<string> {
  const bff = await startBff({ upstreamUrl: stack.sandboxUrl, apiKey: stack.sandboxKey, store });
  cleanup.push(() => bff.close());
  return bff.url;
}

/** The same signed-in operator (the same cookie) on another instance. */
function on(url: string, client: SignedInClient): SignedInClient {
  return clientFor(url, client.cookie, client.session);
}

const AddedSchema = z.object({ operator: z.object({ id: z.string() }), initialPassword: z.string() });

describe('two instances on one PostgreSQL database', () => {
  let stack: Stack;
  let a: string;
  let b: string;
  let storeA: Store;

  beforeEach(async () => {
    stack = await startStack({ admin: 'none' });
    cleanup.push(() => stack.close());
    const url = await freshPostgresUrl('cluster');
    storeA = await instanceStore(url);
    // Both start at once, as behind a load balancer: one creates the first operator.
    [a, b] = await Promise.all([instance(stack, storeA), instance(stack, await instanceStore(url))]);
  });

  it('has one first operator, and a sign-in on A works on B with the same cookie', async () => {
    expect(await storeA.operators.count()).toBe(1);
    const onA = await signIn(a);
    const answer = await on(b, onA).get('/api/session');
    expect(answer.status, answer.text).toBe(200);
    expect(answer.json()).toMatchObject({ operator: { email: TEST_OPERATOR.email } });
  });

  it('a sign-out on B ends the session on A', async () => {
    const onA = await signIn(a);
    expect((await onA.get('/api/session')).status).toBe(200);
    expect((await on(b, onA).delete('/api/session')).status).toBe(204);
    expectProblem(await onA.get('/api/session'), 401, 'unauthenticated');
  });

  it('a password change on A ends the operator’s other sessions on B', async () => {
    const first = await signIn(a);
    const second = await signIn(b);
    const changed = await first.post('/api/session/password', {
      currentPassword: TEST_OPERATOR.password,
      newPassword: 'a new and longer passphrase 42',
    });
    expect(changed.status, changed.text).toBe(200);
    expectProblem(await second.get('/api/session'), 401, 'unauthenticated');
    expectProblem(await on(a, second).get('/api/session'), 401, 'unauthenticated');
  });

  it('disabling an operator on A ends their session on B at once', async () => {
    const admin = await signIn(a);
    const added = await admin.post('/api/operators', {
      email: 'fox@clinic.test',
      displayName: 'Fox Mulder',
      role: 'viewer',
    });
    expect(added.status, added.text).toBe(201);
    const { operator, initialPassword } = AddedSchema.parse(added.json());
    const fox = await signIn(b, { email: 'fox@clinic.test', password: initialPassword });
    expect((await fox.get('/api/session')).status).toBe(200);
    const disabled = await admin.post(`/api/operators/${operator.id}/disable`);
    expect(disabled.status, disabled.text).toBe(200);
    expectProblem(await fox.get('/api/session'), 401, 'unauthenticated');
  });

  it('the same Idempotency-Key sent to A and B at once invites once; the other gets the 409 of a change in progress', async () => {
    const onA = await signIn(a);
    const onB = on(b, onA);
    // Avara answers slowly, so the second request arrives while the first is still in flight.
    await stack.faults.add({ method: 'POST', path: '/v1/viewer/users', latencyMs: 500, times: 1 });
    const person = newPerson();
    const key = newKey();
    const answers = await Promise.all([invite(onA, person, key), invite(onB, person, key)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409]);
    const refused = answers.find((answer) => answer.status === 409);
    if (refused) expectProblem(refused, 409, 'request-in-progress');
    await expectExactlyOneInvitation(stack, person.email);
    // Once answered, a retry on either instance is the same answer again.
    const replayed = await invite(onB, person, key);
    expect(replayed.status).toBe(201);
    expect(replayed.headers['idempotency-replayed']).toBe('true');
  });
});

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
