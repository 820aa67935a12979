import fc from 'fast-check';
import type { Dispatcher } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { unusableCharacterMessage } from '../../../src/contract/text.ts';
import { UserPageSchema, UserSchema } from '../../../src/contract/users.ts';
import { expectProblem, http } from '../../support/http.ts';
import { newPerson } from '../../support/people.ts';
import { CSRF_HEADERS } from '../../support/session.ts';
import { startStack } from '../../support/stack.ts';
import type { Stack } from '../../support/stack.ts';

/**
 * Through the BFF (issue 13): a control character, a direction override or mark, a line separator or a lone surrogate
 * in any text field, and a number in a query spelled other than in plain digits, is a 400 naming the field, and nothing
 * is sent to Avara. What Avara sends back with such characters is still shown.
 */

let stack: Stack;
const USER = `usr_${'a'.repeat(32)}`;
const INVITATION = `inv_${'b'.repeat(32)}`;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
});
beforeEach(async () => {
  await stack.faults.clear();
  await stack.clearUpstreamRequests();
});

const BAD = [
  '\u0000',
  '\u0007',
  '\t',
  '\n',
  '\r',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u009b',
  '\u200e',
  '\u200f',
  '\u061c',
  '\u202a',
  '\u202b',
  '\u202c',
  '\u202d',
  '\u202e',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
  '\u2028',
  '\u2029',
  '\ud800',
  '\udfff',
];

async function expectRefused(
  method: Dispatcher.HttpMethod,
  path: string,
  body: unknown,
  field: string,
  message: string,
) {
  const answer = await stack.api(method, path, body === undefined ? {} : { body });
  const problem = expectProblem(answer, 400, 'validation');
  expect(problem.errors, answer.text).toEqual([{ path: field, message }]);
  expect(await stack.upstreamRequests()).toEqual([]);
}

describe('a text field with a character that cannot be used', () => {
  it.each(BAD.map((bad) => [`U+${bad.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}`, bad]))(
    '%s is refused in every field of an invite, an edit and a list search',
    async (_name, bad) => {
      const name = `Sa${bad}rah`;
      for (const [field, label] of [
        ['firstName', 'first name'],
        ['middleName', 'middle name'],
        ['lastName', 'last name'],
        ['suffix1', 'first suffix'],
        ['suffix2', 'second suffix'],
      ] as const) {
        const message = unusableCharacterMessage(label);
        await expectRefused('POST', '/api/users', newPerson({ [field]: name }), field, message);
        await expectRefused('PATCH', `/api/users/${USER}`, { [field]: name }, field, message);
        await expectRefused('PATCH', `/api/invitations/${INVITATION}`, { [field]: name }, field, message);
      }
      const phone = unusableCharacterMessage('phone number');
      await expectRefused(
        'POST',
        '/api/users',
        newPerson({ phoneNumber: `555${bad}1234567` }),
        'phoneNumber',
        phone,
      );
      await expectRefused(
        'PATCH',
        `/api/users/${USER}`,
        { phoneNumber: `555${bad}1234567` },
        'phoneNumber',
        phone,
      );
      const email = unusableCharacterMessage('email address');
      await expectRefused('POST', '/api/users', newPerson({ email: `a${bad}b@clinic.org` }), 'email', email);

      // A URL cannot carry a lone surrogate at all (its UTF-8 does not exist): the query cases stop here for them.
      if (/\p{Cs}/u.test(bad)) return;
      const query = encodeURIComponent(name);
      await expectRefused(
        'GET',
        `/api/users?firstName=${query}`,
        undefined,
        'firstName',
        unusableCharacterMessage('first name'),
      );
      await expectRefused(
        'GET',
        `/api/users?lastName=${query}`,
        undefined,
        'lastName',
        unusableCharacterMessage('last name'),
      );
      await expectRefused(
        'GET',
        `/api/users?email=a${encodeURIComponent(bad)}b%40clinic.org`,
        undefined,
        'email',
        email,
      );
      const link = unusableCharacterMessage('page link');
      await expectRefused(
        'GET',
        `/api/users?cursor=abc${encodeURIComponent(bad)}def`,
        undefined,
        'cursor',
        link,
      );
      await expectRefused(
        'GET',
        `/api/invitations?cursor=abc${encodeURIComponent(bad)}def`,
        undefined,
        'cursor',
        link,
      );
      await expectRefused(
        'GET',
        `/api/audit?cursor=abc${encodeURIComponent(bad)}def`,
        undefined,
        'cursor',
        link,
      );
    },
  );

  it('is refused in an operator added and a new password (the password stays unchanged)', async () => {
    for (const bad of BAD) {
      await expectRefused(
        'POST',
        '/api/operators',
        { email: 'dana@clinic.org', displayName: `Da${bad}na` },
        'displayName',
        unusableCharacterMessage('display name'),
      );
      await expectRefused(
        'POST',
        '/api/session/password',
        { currentPassword: 'not checked first', newPassword: `a long new pass${bad}word` },
        'newPassword',
        unusableCharacterMessage('new password'),
      );
    }
    expect((await stack.api('GET', '/api/session')).status).toBe(200);
  });

  it('at sign-in, only a lone surrogate is refused as such; anything else is judged as a password', async () => {
    const signIn = (password: string) =>
      http(stack.bffUrl, 'POST', '/api/session', {
        body: { email: 'nobody@clinic.org', password },
        headers: { ...CSRF_HEADERS },
      });
    const refused = expectProblem(await signIn('pass\ud800word'), 400, 'validation');
    expect(refused.errors).toEqual([{ path: 'password', message: unusableCharacterMessage('password') }]);
    expectProblem(await signIn('pass\u0000word\u202e'), 401, 'unauthenticated');
  });

  it('random names with such a character anywhere inside are refused, and never reach Avara', async () => {
    const clean = fc.stringMatching(/^[A-Za-zÀ-ÿ' -]{1,20}$/).map((s) => `A${s}Z`);
    await fc.assert(
      fc.asyncProperty(clean, fc.constantFrom(...BAD), fc.nat(), async (name, bad, at) => {
        const chars = [...name];
        chars.splice(1 + (at % (chars.length - 1)), 0, bad);
        const answer = await stack.api('POST', '/api/users', {
          body: newPerson({ lastName: chars.join('') }),
        });
        expect(expectProblem(answer, 400, 'validation').errors?.[0]?.path).toBe('lastName');
      }),
      { numRuns: 30 },
    );
    expect(await stack.upstreamRequests()).toEqual([]);
  });
});

describe('a number in a query', () => {
  it.each(['0x10', '1e2', '%2010', '10%20', '%2B10', '-10', '010', '10.0', '１０'])(
    'limit=%s is a 400 naming the page size, and nothing goes upstream',
    async (limit) => {
      for (const path of ['/api/users', '/api/invitations', '/api/audit']) {
        const answer = await stack.api('GET', `${path}?limit=${limit}`);
        const problem = expectProblem(answer, 400, 'validation');
        expect(problem.errors).toEqual([
          { path: 'limit', message: 'The page size must be a whole number written in digits, like 25.' },
        ]);
      }
      expect(await stack.upstreamRequests()).toEqual([]);
    },
  );

  it('limit=10 goes upstream as 10', async () => {
    expect((await stack.api('GET', '/api/users?limit=10')).status).toBe(200);
    expect((await stack.upstreamRequests()).map((r) => r.query)).toEqual(['limit=10']);
  });
});

describe('what Avara sends back', () => {
  it('is shown as it is, whatever characters a record created elsewhere holds', async () => {
    const page = UserPageSchema.parse((await stack.api('GET', '/api/users?limit=1')).json());
    const user = page.users[0];
    if (!user) throw new Error('The seeded clinic has no user.');
    const odd = {
      ...user,
      firstName: 'Sa\u202erah\u0000',
      lastName: 'John\nson\ud800',
      middleName: '\u2066x\u2069',
    };
    await stack.faults.add({
      method: 'GET',
      path: `/v1/viewer/users/${user.userId}`,
      status: 200,
      body: JSON.stringify(odd),
    });
    const answer = await stack.api('GET', `/api/users/${user.userId}`);
    expect(answer.status, answer.text).toBe(200);
    expect(UserSchema.parse(answer.json())).toEqual(odd);
  });
});
