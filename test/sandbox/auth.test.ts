import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBodySchema, expectShape, startTestSandbox } from './harness.ts';
import type { TestSandbox } from './harness.ts';

let sb: TestSandbox;

beforeAll(async () => {
  sb = await startTestSandbox({ faultInjection: true, seed: false });
});
afterAll(async () => {
  await sb.close();
});

const ROUTES: readonly [string, string][] = [
  ['POST', '/v1/viewer/users'],
  ['GET', '/v1/viewer/users'],
  ['GET', '/v1/viewer/users/usr_00000000000000000000000000000000'],
  ['PATCH', '/v1/viewer/users/usr_00000000000000000000000000000000'],
  ['POST', '/v1/viewer/users/revoke-access'],
  ['POST', '/v1/viewer/users/reactivate'],
  ['GET', '/v1/viewer/users/invitations'],
  ['GET', '/v1/viewer/users/invitations/inv_00000000000000000000000000000000'],
  ['PATCH', '/v1/viewer/users/invitations/inv_00000000000000000000000000000000'],
  ['POST', '/v1/viewer/users/invitations/revoke'],
  ['GET', '/__sandbox/outbox'],
  ['DELETE', '/__sandbox/outbox'],
  ['POST', '/__sandbox/users/usr_00000000000000000000000000000000/sign-in'],
  ['POST', '/__sandbox/faults'],
  ['GET', '/__sandbox/faults'],
  ['DELETE', '/__sandbox/faults'],
  ['GET', '/__sandbox/requests'],
  ['DELETE', '/__sandbox/requests'],
  ['GET', '/no/such/route'],
];

describe('bearer key', () => {
  it.each(ROUTES)('%s %s refuses a missing key with 401', async (method, path) => {
    const reply = await sb.call(method, path, { key: null });
    expect(reply.status).toBe(401);
    expect(reply.json).toEqual({ message: 'Invalid API key' });
  });

  it.each(ROUTES)('%s %s refuses a wrong key with 401', async (method, path) => {
    const reply = await sb.call(method, path, { key: `${sb.apiKey}x` });
    expect(reply.status).toBe(401);
    expect(expectShape(ErrorBodySchema, reply.json).message).toBe('Invalid API key');
  });

  it('refuses other schemes, an empty bearer and a key of another length', async () => {
    for (const authorization of [
      `Basic ${sb.apiKey}`,
      'Bearer ',
      'Bearer',
      sb.apiKey,
      `Bearer ${sb.apiKey} extra`,
      'Bearer k',
    ]) {
      const reply = await sb.call('GET', '/v1/viewer/users', { key: null, headers: { authorization } });
      expect(reply.status, authorization).toBe(401);
    }
  });

  it('accepts the right key (the scheme is case-insensitive)', async () => {
    expect((await sb.call('GET', '/v1/viewer/users')).status).toBe(200);
    const lower = await sb.call('GET', '/v1/viewer/users', {
      key: null,
      headers: { authorization: `bearer ${sb.apiKey}` },
    });
    expect(lower.status).toBe(200);
    expect((await sb.call('GET', '/__sandbox/outbox')).status).toBe(200);
  });

  it('never echoes the key in a 401', async () => {
    const reply = await sb.call('GET', '/v1/viewer/users', { key: 'wrong-key-value' });
    expect(reply.text).not.toContain('wrong-key-value');
    expect(reply.text).not.toContain(sb.apiKey);
    expect(JSON.stringify(reply.headers)).not.toContain(sb.apiKey);
  });
});
