import * as z from 'zod/mini';
import { EmailSchema, NAME_MAX, strictObject } from './person.ts';
import { OperatorIdSchema, OperatorRoleSchema } from './session.ts';
import { usableText } from './text.ts';

/** The dashboard's own operators (not Avara users): GET/POST /api/operators and the enable/disable actions. */

export const DISPLAY_NAME_MAX = NAME_MAX;

export const DisplayNameSchema = z
  .string('Enter a display name.')
  .check(
    z.trim(),
    usableText('display name'),
    z.minLength(1, 'Enter a display name.'),
    z.maxLength(DISPLAY_NAME_MAX, `Keep the display name to ${DISPLAY_NAME_MAX} characters or fewer.`),
  );

export const OperatorSchema = z.object({
  id: OperatorIdSchema,
  email: z.string(),
  displayName: z.string(),
  role: OperatorRoleSchema,
  disabled: z.boolean(),
  mustChangePassword: z.boolean(),
  createdAt: z.string(),
  lastSignInAt: z.nullable(z.string()),
});
export type Operator = z.infer<typeof OperatorSchema>;

export const OperatorListSchema = z.object({ operators: z.array(OperatorSchema) });

/** POST /api/operators: the server generates the first password, shows it once, and asks for a new one at first sign-in. */
export const AddOperatorInputSchema = strictObject({
  email: EmailSchema,
  displayName: DisplayNameSchema,
  /** Viewer unless given: the least a new operator can do. */
  role: z.optional(OperatorRoleSchema),
});
export type AddOperatorInput = z.input<typeof AddOperatorInputSchema>;

export const AddOperatorResultSchema = z.object({
  operator: OperatorSchema,
  /** Shown once; the new operator must replace it at first sign-in. */
  initialPassword: z.string(),
});
export type AddOperatorResult = z.infer<typeof AddOperatorResultSchema>;

/**
 * GET /api/operators/names: who can have sent an invitation, for the "Invited by" filter every role uses (a Viewer
 * does not see the rest of an operator's account).
 */
export const OperatorNameSchema = z.object({ id: OperatorIdSchema, displayName: z.string() });
export const OperatorNameListSchema = z.object({ operators: z.array(OperatorNameSchema) });
export type OperatorNameList = z.infer<typeof OperatorNameListSchema>;

/** POST /api/operators/:id/role: the operator's new role. */
export const ChangeOperatorRoleInputSchema = strictObject({ role: OperatorRoleSchema });

export const OperatorIdParamsSchema = strictObject({ id: OperatorIdSchema });

/**
 * POST /api/operators/:id/reset-password (empty body): a one-time password, shown once, that the operator must replace
 * at their next sign-in. Every session of theirs ends.
 */
export const ResetPasswordResultSchema = z.object({
  operator: OperatorSchema,
  oneTimePassword: z.string(),
});
export type ResetPasswordResult = z.infer<typeof ResetPasswordResultSchema>;
