import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { AuditQuerySchema } from '../../src/contract/audit.ts';
import { ListInvitationsQuerySchema } from '../../src/contract/invitations.ts';
import { ListUsersQuerySchema } from '../../src/contract/users.ts';

/** Numbers in queries are plain decimal digits, one spelling each (issue 13): `limit=0x10` is refused, not read as 16. */

const QUERIES = [
  { name: 'users', schema: ListUsersQuerySchema },
  { name: 'invitations', schema: ListInvitationsQuerySchema },
  { name: 'audit', schema: AuditQuerySchema },
] as const;

const DIGITS_MESSAGE = 'The page size must be a whole number written in digits, like 25.';

function limitOf(schema: z.ZodMiniType, limit: unknown) {
  const result = z.safeParse(schema, { limit });
  if (result.success) {
    const data: unknown = result.data;
    return {
      ok: true as const,
      limit: typeof data === 'object' && data !== null ? Reflect.get(data, 'limit') : undefined,
    };
  }
  return {
    ok: false as const,
    issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  };
}

describe.each(QUERIES)('the $name query', ({ schema }) => {
  it.each([
    '0x10',
    '0X10',
    '0b101',
    '0o17',
    '1e2',
    '1E2',
    ' 10',
    '10 ',
    '%2010',
    '+10',
    '-10',
    '010',
    '00',
    '10.0',
    '10.',
    '.5',
    '1_0',
    '１０',
    '٣',
    'Infinity',
    'NaN',
    '',
    '10,20',
  ])('refuses limit=%j, naming the page size', (limit) => {
    const parsed = limitOf(schema, limit);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.issues).toEqual([{ path: 'limit', message: DIGITS_MESSAGE }]);
  });

  it('reads 1 to 100 in plain digits, and refuses the rest of the range by its own message', () => {
    expect(limitOf(schema, '1')).toEqual({ ok: true, limit: 1 });
    expect(limitOf(schema, '25')).toEqual({ ok: true, limit: 25 });
    expect(limitOf(schema, '100')).toEqual({ ok: true, limit: 100 });
    for (const limit of ['0', '101', '99999999999999999999']) {
      expect(limitOf(schema, limit)).toEqual({
        ok: false,
        issues: [{ path: 'limit', message: 'The page size must be between 1 and 100.' }],
      });
    }
    // What code builds (a number) is read as it is.
    expect(limitOf(schema, 50)).toEqual({ ok: true, limit: 50 });
    expect(limitOf(schema, 2.5).ok).toBe(false);
  });

  it('reads a string exactly when it is the one way to write a number from 1 to 100', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 6 }),
      fc.string({ unit: fc.constantFrom(...'0123456789+-.eExX _'), maxLength: 6 }),
      fc.integer({ min: -5, max: 200 }).map(String),
    );
    fc.assert(
      fc.property(text, (limit) => {
        const n = Number(limit);
        const canonical = String(n) === limit && Number.isInteger(n) && n >= 1 && n <= 100;
        expect(limitOf(schema, limit)).toEqual(
          canonical ? { ok: true, limit: n } : expect.objectContaining({ ok: false }),
        );
      }),
    );
  });
});
