import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PREVIOUS_PASSWORD_COST, createPasswordHasher } from '../../../src/server/auth/password.ts';
import { openSqliteStore, type Store } from '../../../src/server/store/store.ts';
import { http } from '../../support/http.ts';
import { CSRF_HEADERS } from '../../support/session.ts';
import { startBff } from '../../support/stack.ts';

/**
 * Hashes made at another cost (the previous production cost, 2^17 at 128 MiB, or any other set) still sign in, and
 * are replaced at that sign-in by a hash at the server's current cost (here the tests' cheap one).
 */

let store: Store;
let bff: { url: string; close(): Promise<void> };

const OLD = { email: 'old.hash@clinic.test', password: 'hashed before the change' };
const OTHER = { email: 'more.lanes@clinic.test', password: 'hashed with two lanes' };

beforeAll(async () => {
  store = openSqliteStore(':memory:');
  for (const [who, cost] of [
    [OLD, PREVIOUS_PASSWORD_COST],
    // More lanes than the current cost: not "lower", and still not the cost chosen.
    [OTHER, { log2N: 10, r: 8, p: 2 }],
  ] as const) {
    await store.operators.create({
      email: who.email,
      displayName: who.email.split('@')[0] ?? '',
      role: 'administrator',
      passwordHash: await createPasswordHasher(cost).hash(who.password),
      mustChangePassword: false,
      createdAt: Date.now(),
    });
  }
  // Sign-in never reaches the upstream: nothing needs to listen there.
  bff = await startBff({ upstreamUrl: 'http://127.0.0.1:9', apiKey: 'sk_test_unused', store });
});
afterAll(async () => {
  await bff.close();
  await store.close();
});

const signIn = (body: { email: string; password: string }) =>
  http(bff.url, 'POST', '/api/session', { body, headers: { ...CSRF_HEADERS } });

describe('re-hashing at sign-in', () => {
  it.each([
    ['the previous production cost', OLD, /^scrypt\$ln=17,r=8,p=1\$/],
    ['another parameter set', OTHER, /^scrypt\$ln=10,r=8,p=2\$/],
  ])('a hash at %s verifies, and is replaced by one at the current cost', async (_, who, before) => {
    expect((await store.operators.findByEmail(who.email))?.passwordHash).toMatch(before);
    expect((await signIn({ ...who, password: 'not the password' })).status).toBe(401);
    expect((await store.operators.findByEmail(who.email))?.passwordHash).toMatch(before);
    expect((await signIn(who)).status).toBe(200);
    const after = (await store.operators.findByEmail(who.email))?.passwordHash;
    expect(after).toMatch(/^scrypt\$ln=10,r=8,p=1\$/);
    expect((await signIn(who)).status).toBe(200);
    expect((await store.operators.findByEmail(who.email))?.passwordHash).toBe(after);
  });
});
