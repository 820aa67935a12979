import { describe, expect, it } from 'vitest';
import {
  AUDIT_ACTIONS,
  AUDIT_ACTION_LABELS,
  AuditCsvQuerySchema,
  AuditQuerySchema,
} from '../../src/contract/audit.ts';
import { AddOperatorInputSchema } from '../../src/contract/operators.ts';
import {
  ChangePasswordInputSchema,
  NewPasswordSchema,
  OperatorIdSchema,
  SignInInputSchema,
} from '../../src/contract/session.ts';

const messages = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
  result.error?.issues.map((i) => i.message) ?? [];

describe('sign-in and passwords', () => {
  it('normalises the email and needs some password', () => {
    expect(SignInInputSchema.parse({ email: ' Dana@Clinic.ORG ', password: 'x' })).toEqual({
      email: 'dana@clinic.org',
      password: 'x',
    });
    expect(messages(SignInInputSchema.safeParse({ email: 'dana@clinic.org', password: '' }))).toEqual([
      'Enter your password.',
    ]);
    expect(
      SignInInputSchema.safeParse({ email: 'dana@clinic.org', password: 'x', remember: true }).success,
    ).toBe(false);
  });

  it('asks for 12 characters or more in a new password, and nothing else', () => {
    expect(NewPasswordSchema.safeParse('correct horse battery').success).toBe(true);
    expect(NewPasswordSchema.safeParse('alllowercase').success).toBe(true);
    expect(messages(NewPasswordSchema.safeParse('short'))).toEqual([
      'Use at least 12 characters. A few unrelated words work well.',
      'Use at least 12 characters besides spaces.',
    ]);
    expect(NewPasswordSchema.safeParse('            a').success).toBe(false);
    expect(NewPasswordSchema.safeParse('x'.repeat(129)).success).toBe(false);
  });

  it('refuses a new password equal to the current one, on the new-password field', () => {
    const result = ChangePasswordInputSchema.safeParse({
      currentPassword: 'the same old password',
      newPassword: 'the same old password',
    });
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['newPassword', 'Choose a password different from the current one.'],
    ]);
  });

  it('knows operator ids', () => {
    expect(OperatorIdSchema.safeParse(`opr_${'0'.repeat(32)}`).success).toBe(true);
    expect(OperatorIdSchema.safeParse(`usr_${'0'.repeat(32)}`).success).toBe(false);
  });
});

describe('operators', () => {
  it('adds with an email and a display name, nothing more', () => {
    expect(AddOperatorInputSchema.parse({ email: 'Fox@Clinic.org', displayName: '  Fox Mulder ' })).toEqual({
      email: 'fox@clinic.org',
      displayName: 'Fox Mulder',
    });
    expect(messages(AddOperatorInputSchema.safeParse({ email: 'fox@clinic.org', displayName: ' ' }))).toEqual(
      ['Enter a display name.'],
    );
    expect(
      messages(
        AddOperatorInputSchema.safeParse({ email: 'fox@clinic.org', displayName: 'Fox', password: 'x' }),
      ),
    ).toEqual(['Unexpected field: password.']);
  });
});

describe('audit queries', () => {
  it('has a label for every action', () => {
    expect(Object.keys(AUDIT_ACTION_LABELS).sort()).toEqual([...AUDIT_ACTIONS].sort());
  });

  it('parses filters, paging and dates (whole days, from ≤ to)', () => {
    expect(
      AuditQuerySchema.parse({ action: 'user.invite', from: '2026-03-01', to: '2026-03-01', limit: '20' }),
    ).toEqual({ action: 'user.invite', from: '2026-03-01', to: '2026-03-01', limit: 20 });
    const backwards = AuditQuerySchema.safeParse({ from: '2026-03-02', to: '2026-03-01' });
    expect(backwards.error?.issues.map((i) => i.path.join('.'))).toEqual(['to']);
    expect(AuditQuerySchema.safeParse({ from: '2026-02-30' }).success).toBe(false);
    expect(AuditQuerySchema.safeParse({ action: 'drop.tables' }).success).toBe(false);
    expect(AuditQuerySchema.safeParse({ limit: '0' }).success).toBe(false);
    expect(AuditCsvQuerySchema.safeParse({ limit: '10' }).success).toBe(false);
    expect(AuditCsvQuerySchema.parse({ operatorId: `opr_${'a'.repeat(32)}` })).toEqual({
      operatorId: `opr_${'a'.repeat(32)}`,
    });
  });
});
