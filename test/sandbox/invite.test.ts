import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMAIL_TAKEN_CODE } from '../../src/contract/avara-error.ts';
import { INVITATION_ID_PATTERN, USER_ID_PATTERN } from '../../src/contract/ids.ts';
import { InvitationPageSchema } from '../../src/contract/invitations.ts';
import { ADMIN_NEEDS_DASHBOARD } from '../../src/contract/person.ts';
import { CLINIC_ROLES } from '../../src/contract/roles.ts';
import { UserSchema } from '../../src/contract/users.ts';
import { OutboxSchema } from '../../src/sandbox/fault.ts';
import { DAY_MS, ErrorBodySchema, expectShape, inviteBody, startTestSandbox, testClock } from './harness.ts';
import type { TestSandbox } from './harness.ts';

const clock = testClock('2025-03-10T12:00:00.000Z');
let sb: TestSandbox;

beforeAll(async () => {
  sb = await startTestSandbox({ seed: false, now: clock.now });
});
afterAll(async () => {
  await sb.close();
});

const invite = (body: unknown) => sb.call('POST', '/v1/viewer/users', { body });

async function outboxSize(): Promise<number> {
  return expectShape(OutboxSchema, (await sb.call('GET', '/__sandbox/outbox')).json).messages.length;
}

describe('POST /v1/viewer/users (invite)', () => {
  it('answers the documented example with a user object (optional fields omitted when absent)', async () => {
    const reply = await invite({
      canManageStudies: true,
      clinicRole: 'Radiologist',
      email: 'dr.johnson@hospital.org',
      firstName: 'Sarah',
      hasDashboardAccess: true,
      lastName: 'Johnson',
      level: 'member',
    });
    expect(reply.status).toBe(200);
    const user = expectShape(UserSchema, reply.json);
    expect(user.userId).toMatch(USER_ID_PATTERN);
    expect(reply.json).toEqual({
      userId: user.userId,
      email: 'dr.johnson@hospital.org',
      firstName: 'Sarah',
      lastName: 'Johnson',
      clinicRole: 'Radiologist',
      level: 'member',
      hasDashboardAccess: true,
      canManageStudies: true,
      invitedSource: 'api',
      createdAt: '2025-03-10T12:00:00.000Z',
      lastLoginAt: null,
    });
    expect(reply.json).not.toHaveProperty('middleName');
    expect(reply.json).not.toHaveProperty('phoneNumber');
  });

  it('keeps the optional fields when given, normalising the phone and trimming names; e-mail lower-cased', async () => {
    const reply = await invite(
      inviteBody({
        email: '  Amelia.Stone@Hospital.Example ',
        firstName: '  Amelia ',
        middleName: 'Marie',
        suffix1: 'MD',
        suffix2: 'FACR',
        phoneNumber: '+1 (555) 123-4567',
      }),
    );
    expect(reply.status).toBe(200);
    const user = expectShape(UserSchema, reply.json);
    expect(user).toMatchObject({
      email: 'amelia.stone@hospital.example',
      firstName: 'Amelia',
      middleName: 'Marie',
      suffix1: 'MD',
      suffix2: 'FACR',
      phoneNumber: '15551234567',
    });
  });

  it('treats blank optional fields as absent', async () => {
    const reply = await invite(inviteBody({ middleName: '   ', suffix1: '', phoneNumber: ' ' }));
    expect(reply.status).toBe(200);
    expect(reply.json).not.toHaveProperty('middleName');
    expect(reply.json).not.toHaveProperty('suffix1');
    expect(reply.json).not.toHaveProperty('phoneNumber');
  });

  it('creates a pending invitation that expires in 7 days and writes the e-mail to the outbox', async () => {
    const before = await outboxSize();
    const user = expectShape(
      UserSchema,
      (await invite(inviteBody({ firstName: 'Noor', middleName: 'A.' }))).json,
    );
    const page = expectShape(
      InvitationPageSchema,
      (await sb.call('GET', `/v1/viewer/users/invitations?userId=${user.userId}`)).json,
    );
    expect(page.invitations).toHaveLength(1);
    const [invitation] = page.invitations;
    expect(invitation).toMatchObject({
      userId: user.userId,
      email: user.email,
      firstName: 'Noor',
      middleName: 'A.',
      suffix1: null,
      suffix2: null,
      phoneNumber: null,
      status: 'sent',
      invitedSource: 'api',
      inviterId: null,
      createdAt: '2025-03-10T12:00:00.000Z',
      updatedAt: '2025-03-10T12:00:00.000Z',
      expiry: new Date(Date.parse('2025-03-10T12:00:00.000Z') + 7 * DAY_MS).toISOString(),
    });
    expect(invitation?.invitationId).toMatch(INVITATION_ID_PATTERN);
    expect(invitation?.invitedByApiKeyId).toMatch(/^key_[0-9a-f]+$/);
    expect(invitation?.clinicId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

    const outbox = expectShape(OutboxSchema, (await sb.call('GET', '/__sandbox/outbox')).json);
    expect(outbox.messages).toHaveLength(before + 1);
    const [newest] = outbox.messages;
    expect(newest).toMatchObject({
      to: user.email,
      userId: user.userId,
      invitationId: invitation?.invitationId,
    });
    expect(newest?.subject).toContain('invited');
    expect(newest?.text).toContain(`${invitation?.invitationId}`);
    expect(newest?.text).toContain('Noor A. Johnson');
    expect(newest?.text).not.toContain(sb.apiKey);
  });

  it('lists outbox messages newest first', async () => {
    const first = expectShape(UserSchema, (await invite(inviteBody())).json);
    clock.advance(1000);
    const second = expectShape(UserSchema, (await invite(inviteBody())).json);
    const outbox = expectShape(OutboxSchema, (await sb.call('GET', '/__sandbox/outbox')).json);
    expect(outbox.messages[0]?.userId).toBe(second.userId);
    expect(outbox.messages[1]?.userId).toBe(first.userId);
  });

  it('accepts an admin with dashboard access', async () => {
    const reply = await invite(inviteBody({ level: 'admin', hasDashboardAccess: true }));
    expect(reply.status).toBe(200);
    expect(expectShape(UserSchema, reply.json).level).toBe('admin');
  });

  it('refuses an admin without dashboard access, on hasDashboardAccess', async () => {
    const before = await outboxSize();
    const reply = await invite(inviteBody({ level: 'admin', hasDashboardAccess: false }));
    expect(reply.status).toBe(400);
    const body = expectShape(ErrorBodySchema, reply.json);
    expect(body.message).toBe(ADMIN_NEEDS_DASHBOARD);
    expect(body.errors).toEqual([{ path: 'hasDashboardAccess', message: ADMIN_NEEDS_DASHBOARD }]);
    expect(await outboxSize()).toBe(before);
  });

  it('accepts every role of Avara’s current list and refuses one it no longer has', async () => {
    for (const clinicRole of CLINIC_ROLES) {
      const reply = await invite(inviteBody({ clinicRole }));
      expect(reply.status, clinicRole).toBe(200);
      expect(expectShape(UserSchema, reply.json).clinicRole).toBe(clinicRole);
    }
    const retired = await invite(inviteBody({ clinicRole: 'PACS Administrator' }));
    expect(retired.status).toBe(400);
    expect(expectShape(ErrorBodySchema, retired.json).errors).toEqual([
      { path: 'clinicRole', message: 'Choose a clinic role from the list.' },
    ]);
  });

  it('accepts a member without dashboard access', async () => {
    const reply = await invite(inviteBody({ level: 'member', hasDashboardAccess: false }));
    expect(reply.status).toBe(200);
  });

  it.each([
    ['firstName', { firstName: undefined }],
    ['firstName', { firstName: '   ' }],
    ['lastName', { lastName: '' }],
    ['email', { email: 'not-an-email' }],
    ['email', { email: undefined }],
    ['clinicRole', { clinicRole: 'Wizard' }],
    ['level', { level: 'owner' }],
    ['level', { level: undefined }],
    ['hasDashboardAccess', { hasDashboardAccess: 'yes' }],
    ['canManageStudies', { canManageStudies: undefined }],
    ['phoneNumber', { phoneNumber: '12345' }],
    ['phoneNumber', { phoneNumber: '1234567890123456' }],
    ['suffix1', { suffix1: 'x'.repeat(21) }],
    ['userId', { userId: 'usr_00000000000000000000000000000000' }],
  ])('refuses a bad %s with 400 naming it', async (path, overrides) => {
    const reply = await invite(inviteBody(overrides));
    expect(reply.status).toBe(400);
    const error = expectShape(ErrorBodySchema, reply.json);
    expect(error.message.length).toBeGreaterThan(0);
    expect(error.errors?.map((e) => e.path)).toContain(path);
  });

  it('names every offending field at once', async () => {
    const reply = await invite({ email: 'x', level: 'admin', hasDashboardAccess: false, surprise: 1 });
    expect(reply.status).toBe(400);
    const paths = expectShape(ErrorBodySchema, reply.json).errors?.map((e) => e.path) ?? [];
    expect(paths).toEqual(
      expect.arrayContaining([
        'firstName',
        'lastName',
        'email',
        'clinicRole',
        'canManageStudies',
        'surprise',
      ]),
    );
  });

  it('accepts a phone with 10 and with 15 digits', async () => {
    for (const phoneNumber of ['555.123.4567', '123456789012345']) {
      const reply = await invite(inviteBody({ phoneNumber }));
      expect(reply.status, phoneNumber).toBe(200);
      expect(expectShape(UserSchema, reply.json).phoneNumber).toBe(phoneNumber.replace(/\D/g, ''));
    }
  });

  it('refuses a duplicate e-mail (any case) with 409 email_taken and creates nothing', async () => {
    const body = inviteBody({ email: 'taken.person@hospital.example' });
    expect((await invite(body)).status).toBe(200);
    const before = await outboxSize();
    const reply = await invite({ ...body, email: 'Taken.Person@HOSPITAL.example' });
    expect(reply.status).toBe(409);
    expect(reply.json).toEqual({
      message: 'A user with this email already exists.',
      code: EMAIL_TAKEN_CODE,
      errors: [{ path: 'email', message: 'A user with this email already exists.' }],
    });
    expect(await outboxSize()).toBe(before);
  });

  it('does not honour Idempotency-Key: a replay is a duplicate, another body is another user', async () => {
    const headers = { 'idempotency-key': 'same-key-123' };
    const body = inviteBody();
    expect((await sb.call('POST', '/v1/viewer/users', { body, headers })).status).toBe(200);
    expect((await sb.call('POST', '/v1/viewer/users', { body, headers })).status).toBe(409);
    expect((await sb.call('POST', '/v1/viewer/users', { body: inviteBody(), headers })).status).toBe(200);
  });
});
