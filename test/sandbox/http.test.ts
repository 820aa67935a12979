import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AvaraErrorBodySchema } from '../../src/contract/avara-error.ts';
import { InvitationPageSchema } from '../../src/contract/invitations.ts';
import { BODY_LIMIT_BYTES } from '../../src/sandbox/server.ts';
import { ErrorBodySchema, expectShape, inviteBody, startTestSandbox } from './harness.ts';
import type { TestSandbox } from './harness.ts';

let sb: TestSandbox;

beforeAll(async () => {
  sb = await startTestSandbox({ seed: false });
});
afterAll(async () => {
  await sb.close();
});

function expectErrorBody(json: unknown, message?: string) {
  const body = expectShape(ErrorBodySchema, json);
  expectShape(AvaraErrorBodySchema, json);
  if (message !== undefined) expect(body.message).toBe(message);
  return body;
}

describe('request bodies', () => {
  const post = (rawBody: string | undefined, contentType?: string) =>
    sb.call('POST', '/v1/viewer/users', {
      rawBody,
      headers: contentType === undefined ? {} : { 'content-type': contentType },
    });

  it('refuses malformed JSON with 400', async () => {
    const reply = await post('{"firstName": "Sarah",', 'application/json');
    expect(reply.status).toBe(400);
    expectErrorBody(reply.json, 'The request body is not valid JSON.');
  });

  it('refuses an empty JSON body with 400', async () => {
    const reply = await post('', 'application/json');
    expect(reply.status).toBe(400);
    expectErrorBody(reply.json);
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/xml'])(
    'refuses a %s body with 400',
    async (type) => {
      const reply = await post('firstName=Sarah', type);
      expect(reply.status).toBe(400);
      expectErrorBody(reply.json, 'Send the request body as JSON (Content-Type: application/json).');
    },
  );

  it('refuses a missing body with 400', async () => {
    const reply = await post(undefined);
    expect(reply.status).toBe(400);
    expectErrorBody(reply.json);
  });

  it.each(['null', '[]', '"text"', '42'])('refuses the JSON value %s with 400', async (raw) => {
    const reply = await post(raw, 'application/json');
    expect(reply.status).toBe(400);
    expectErrorBody(reply.json);
  });

  it('accepts JSON with a charset parameter', async () => {
    const reply = await post(JSON.stringify(inviteBody()), 'application/json; charset=utf-8');
    expect(reply.status).toBe(200);
  });

  it('refuses a body over 64 KiB with 413 and a message', async () => {
    const big = JSON.stringify({ ...inviteBody(), middleName: 'x'.repeat(BODY_LIMIT_BYTES) });
    const reply = await post(big, 'application/json');
    expect(reply.status).toBe(413);
    expectErrorBody(reply.json);
  });

  it('reads a body just under 64 KiB (then validates it: 400, not 413)', async () => {
    const base = JSON.stringify({ ...inviteBody(), middleName: '' });
    const padded = JSON.stringify({
      ...inviteBody(),
      middleName: 'x'.repeat(BODY_LIMIT_BYTES - base.length - 10),
    });
    expect(Buffer.byteLength(padded)).toBeLessThan(BODY_LIMIT_BYTES);
    const reply = await post(padded, 'application/json');
    expect(reply.status).toBe(400);
    expect(expectErrorBody(reply.json).errors?.[0]?.path).toBe('middleName');
  });
});

describe('routing', () => {
  it('answers an unknown route with 404 Not found', async () => {
    for (const [method, path] of [
      ['GET', '/v2/viewer/users'],
      ['DELETE', '/v1/viewer/users'],
      ['PUT', '/v1/viewer/users/usr_00000000000000000000000000000000'],
      ['GET', '/'],
    ] as const) {
      const reply = await sb.call(method, path);
      expect(reply.status, `${method} ${path}`).toBe(404);
      expectErrorBody(reply.json, 'Not found');
    }
  });

  it('routes /v1/viewer/users/invitations to the invitation list, not to a user id', async () => {
    const reply = await sb.call('GET', '/v1/viewer/users/invitations');
    expect(reply.status).toBe(200);
    expectShape(InvitationPageSchema, reply.json);
  });

  it.each([
    ['GET', '/v1/viewer/users/usr_123', 'User not found'],
    ['GET', '/v1/viewer/users/usr_0000000000000000000000000000000G', 'User not found'],
    ['GET', '/v1/viewer/users/USR_00000000000000000000000000000000', 'User not found'],
    ['GET', '/v1/viewer/users/usr_ABCDEF0000000000000000000000000000', 'User not found'],
    ['GET', '/v1/viewer/users/inv_00000000000000000000000000000000', 'User not found'],
    ['PATCH', '/v1/viewer/users/nope', 'User not found'],
    ['GET', '/v1/viewer/users/invitations/inv_1', 'Invitation not found'],
    ['GET', '/v1/viewer/users/invitations/usr_00000000000000000000000000000000', 'Invitation not found'],
    ['PATCH', '/v1/viewer/users/invitations/whatever', 'Invitation not found'],
    ['POST', '/__sandbox/users/usr_nope/sign-in', 'User not found'],
  ])('%s %s (malformed id) is 404 %s', async (method, path, message) => {
    const reply = await sb.call(method, path, method === 'GET' ? {} : { body: { firstName: 'X' } });
    expect(reply.status).toBe(404);
    expectErrorBody(reply.json, message);
  });

  it.each([
    ['GET', '/v1/viewer/users/usr_0123456789abcdef0123456789abcdef', 'User not found'],
    ['PATCH', '/v1/viewer/users/usr_0123456789abcdef0123456789abcdef', 'User not found'],
    ['GET', '/v1/viewer/users/invitations/inv_0123456789abcdef0123456789abcdef', 'Invitation not found'],
    ['PATCH', '/v1/viewer/users/invitations/inv_0123456789abcdef0123456789abcdef', 'Invitation not found'],
  ])('%s %s (unknown id) is 404 %s', async (method, path, message) => {
    const reply = await sb.call(method, path, method === 'GET' ? {} : { body: { firstName: 'X' } });
    expect(reply.status).toBe(404);
    expect(reply.json).toEqual({ message });
  });

  it('answers JSON on every error', async () => {
    const reply = await sb.call('GET', '/v1/viewer/users?limit=0');
    expect(reply.headers['content-type']).toMatch(/^application\/json/);
    expectErrorBody(reply.json);
  });
});
