import * as z from 'zod/mini';
import { EmailSchema, strictObject } from './person.ts';
import { ModeSchema } from './mode.ts';
import { usableText, wellFormedText } from './text.ts';

/** Operators (the clinic staff who use this dashboard) sign in to the BFF; these are the session routes' bodies. */

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;
/** What a sign-in accepts as a password: anything up to a bound (the policy applies when a password is chosen). */
export const SIGN_IN_PASSWORD_MAX = 1024;

export const OPERATOR_ID_PATTERN = /^opr_[0-9a-f]{32}$/;
export const OperatorIdSchema = z
  .string()
  .check(
    z.regex(OPERATOR_ID_PATTERN, 'An operator id looks like opr_ followed by 32 characters 0-9 and a-f.'),
  );

/**
 * What an operator may do, each role including the one before: a Viewer reviews (lists, details, copy ids, export); an
 * Inviter also invites (one or many) and edits pending invitations; an Administrator also changes users' access,
 * revokes invitations, manages operators and reads the Activity trail.
 */
export const OPERATOR_ROLES = ['viewer', 'inviter', 'administrator'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];
export const OperatorRoleSchema = z.enum(OPERATOR_ROLES, 'Choose Viewer, Inviter or Administrator.');

/** The roles as the screens name them. */
export const ROLE_LABELS: Record<OperatorRole, string> = {
  viewer: 'Viewer',
  inviter: 'Inviter',
  administrator: 'Administrator',
};

/** Whether an operator holding `held` may do what needs `needed` (each role includes the ones before it). */
export function roleAllows(held: OperatorRole, needed: OperatorRole): boolean {
  return OPERATOR_ROLES.indexOf(held) >= OPERATOR_ROLES.indexOf(needed);
}

/** The sentence a refusal shows: which role the action needs, and whom to ask. */
export function roleNeededMessage(needed: OperatorRole): string {
  return `This needs the ${ROLE_LABELS[needed]} role; ask an administrator.`;
}

/** POST /api/session. */
export const SignInInputSchema = strictObject({
  email: EmailSchema,
  password: z
    .string('Enter your password.')
    .check(
      wellFormedText('password'),
      z.minLength(1, 'Enter your password.'),
      z.maxLength(SIGN_IN_PASSWORD_MAX, 'That password is too long.'),
    ),
});
export type SignInInput = z.input<typeof SignInInputSchema>;

/**
 * A password an operator chooses: long rather than clever (no composition rules, as current guidance advises). No
 * control or direction characters: a keyboard cannot type them, and a password that holds one could never be typed
 * again at sign-in.
 */
export const NewPasswordSchema = z.string('Enter a new password.').check(
  usableText('new password'),
  z.minLength(PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters. A few unrelated words work well.`),
  z.maxLength(PASSWORD_MAX, `Keep the password to ${PASSWORD_MAX} characters or fewer.`),
  z.refine((s) => s.trim().length >= PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters besides spaces.`),
);

/** POST /api/session/password. */
export const ChangePasswordInputSchema = strictObject({
  currentPassword: z
    .string('Enter your current password.')
    .check(
      wellFormedText('current password'),
      z.minLength(1, 'Enter your current password.'),
      z.maxLength(SIGN_IN_PASSWORD_MAX, 'That password is too long.'),
    ),
  newPassword: NewPasswordSchema,
}).check(
  z.refine((v) => v.newPassword !== v.currentPassword, {
    message: 'Choose a password different from the current one.',
    path: ['newPassword'],
  }),
);
export type ChangePasswordInput = z.input<typeof ChangePasswordInputSchema>;

/** The signed-in operator as the session routes describe them. */
export const SessionOperatorSchema = z.object({
  id: OperatorIdSchema,
  email: z.string(),
  displayName: z.string(),
  role: OperatorRoleSchema,
});

/** GET /api/session and the answer to a successful sign-in or password change. */
export const SessionSchema = z.object({
  operator: SessionOperatorSchema,
  /** While true, every other /api route answers 403 `password-change-required`. */
  mustChangePassword: z.boolean(),
  /** When the session ends whatever the activity (ISO 8601). */
  expiresAt: z.string(),
  /** Minutes of inactivity after which the session ends. */
  idleTimeoutMinutes: z.number(),
});
export type Session = z.infer<typeof SessionSchema>;

/**
 * How an operator may sign in (GET /api/session/methods, and the page shell): with a password (unless
 * LOCAL_SIGN_IN=off) and/or single sign-on through the named provider, which may also offer to sign out there.
 */
export const SignInMethodsSchema = z.object({
  password: z.boolean(),
  sso: z.nullable(z.object({ providerName: z.string(), providerSignOut: z.boolean() })),
});
export type SignInMethods = z.infer<typeof SignInMethodsSchema>;

/**
 * What the BFF writes into the page shell (index.html) it serves, as a JSON data block with this id: who is signed in
 * (null: nobody), for a signed-in operator the mode, and how one signs in. The app's first render then needs no /api
 * round trip. The block is empty when the server could not tell (the app then asks GET /api/session as usual).
 */
export const SHELL_BOOTSTRAP_ELEMENT_ID = 'viewer-admin-bootstrap';
export const ShellBootstrapSchema = z.object({
  session: z.nullable(SessionSchema),
  mode: z.nullable(ModeSchema),
  /** Absent from servers that predate single sign-on: then the app asks GET /api/session/methods. */
  signIn: z.optional(SignInMethodsSchema),
});
export type ShellBootstrap = z.infer<typeof ShellBootstrapSchema>;
