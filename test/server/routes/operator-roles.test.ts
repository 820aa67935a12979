import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditPageSchema } from '../../../src/contract/audit.ts';
import {
  AddOperatorResultSchema,
  OperatorListSchema,
  OperatorSchema,
} from '../../../src/contract/operators.ts';
import type { OperatorRole } from '../../../src/contract/session.ts';
import { SessionSchema } from '../../../src/contract/session.ts';
import { expectProblem } from '../../support/http.ts';
import { clientFor, sessionCookieOf, signIn } from '../../support/session.ts';
import type { SignedInClient } from '../../support/session.ts';
import { startStack } from '../../support/stack.ts';
import type { Stack } from '../../support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
});

let count = 0;
/** Added by the test operator (an Administrator), signed in with a password of their own. */
async function operator(role?: OperatorRole): Promise<SignedInClient> {
  count += 1;
  const email = `role.${count}@clinic.test`;
  const added = await stack.client.post('/api/operators', {
    email,
    displayName: `Operator ${count}`,
    ...(role === undefined ? {} : { role }),
  });
  expect(added.status, added.text).toBe(201);
  const { initialPassword } = AddOperatorResultSchema.parse(added.json());
  const first = await signIn(stack.bffUrl, { email, password: initialPassword });
  const changed = await first.post('/api/session/password', {
    currentPassword: initialPassword,
    newPassword: `${email} has its own password`,
  });
  expect(changed.status, changed.text).toBe(200);
  return clientFor(stack.bffUrl, sessionCookieOf(changed) ?? '', SessionSchema.parse(changed.json()));
}

const setRole = (by: SignedInClient, id: string, role: unknown) =>
  by.post(`/api/operators/${id}/role`, { role });

describe('operator roles over HTTP', () => {
  it('a new operator is a Viewer unless the form says otherwise; the first one is an Administrator', async () => {
    expect(stack.client.session.operator.role).toBe('administrator');
    const viewer = await operator();
    expect(viewer.session.operator.role).toBe('viewer');
    const inviter = await operator('inviter');
    expect(inviter.session.operator.role).toBe('inviter');
    expectProblem(
      await stack.client.post('/api/operators', { email: 'x@clinic.test', displayName: 'X', role: 'owner' }),
      400,
      'validation',
    );
  });

  it('an Administrator changes a role: it applies at the next request, and Activity records from and to', async () => {
    const person = await operator();
    const refused = expectProblem(
      await person.post('/api/invites/check', { emails: ['a@b.test'] }),
      403,
      'forbidden-role',
    );
    expect(refused.detail).toBe('This needs the Inviter role; ask an administrator.');
    const changed = await setRole(stack.client, person.session.operator.id, 'inviter');
    expect(changed.status, changed.text).toBe(200);
    expect(OperatorSchema.parse(changed.json()).role).toBe('inviter');
    expect((await person.post('/api/invites/check', { emails: ['a@b.test'] })).status).toBe(200);
    expect(SessionSchema.parse((await person.get('/api/session')).json()).operator.role).toBe('inviter');
    const [record] = AuditPageSchema.parse((await stack.client.get('/api/audit?limit=1')).json()).records;
    expect(record).toMatchObject({
      action: 'operator.role-change',
      outcome: 'success',
      targetOperatorId: person.session.operator.id,
      changes: [{ field: 'operatorRole', from: 'viewer', to: 'inviter' }],
    });
    // Not theirs to change: an Inviter cannot promote themselves.
    expectProblem(await setRole(person, person.session.operator.id, 'administrator'), 403, 'forbidden-role');
  });

  it('refuses a bad role or body, and an unknown operator', async () => {
    const person = await operator();
    for (const role of ['Administrator', 'admin', '', null, 1, ['viewer']]) {
      expectProblem(await setRole(stack.client, person.session.operator.id, role), 400, 'validation');
    }
    expectProblem(
      await stack.client.post(`/api/operators/${person.session.operator.id}/role`, {
        role: 'viewer',
        extra: 1,
      }),
      400,
      'validation',
    );
    expectProblem(await setRole(stack.client, `opr_${'0'.repeat(32)}`, 'viewer'), 404, 'not-found');
  });

  it('the last active Administrator cannot be demoted or disabled; two at once cannot both step down', async () => {
    const me = stack.client.session.operator.id;
    const problem = expectProblem(await setRole(stack.client, me, 'viewer'), 409, 'last-administrator');
    expect(problem.title).toBe('Viewer Admin needs at least one active Administrator');
    expect(problem.detail).toMatch(/make another operator an Administrator first/);
    const [refusal] = AuditPageSchema.parse((await stack.client.get('/api/audit?limit=1')).json()).records;
    expect(refusal).toMatchObject({ action: 'operator.role-change', outcome: 'refused' });

    const second = await operator('administrator');
    // Each demotes the other at the same moment: one of them must stay.
    const [a, b] = await Promise.all([
      setRole(stack.client, second.session.operator.id, 'viewer'),
      setRole(second, me, 'inviter'),
    ]);
    // The other is refused: by the rule (409), or by the gate when its sender is no longer an Administrator (403).
    const statuses = [a.status, b.status].sort();
    expect(statuses[0]).toBe(200);
    expect([403, 409]).toContain(statuses[1]);
    const list = OperatorListSchema.parse(
      (await (a.status === 200 ? stack.client : second).get('/api/operators')).json(),
    ).operators;
    expect(list.filter((o) => o.role === 'administrator' && !o.disabled)).toHaveLength(1);
    // Put things back for the other tests: the test operator is the one Administrator.
    if (b.status === 200) {
      expect((await setRole(second, me, 'administrator')).status).toBe(200);
      expect((await setRole(stack.client, second.session.operator.id, 'viewer')).status).toBe(200);
    }
    // Another Administrator may be disabled while one stays active.
    const third = await operator('administrator');
    expect((await stack.client.post(`/api/operators/${third.session.operator.id}/disable`, {})).status).toBe(
      200,
    );
  });
});
