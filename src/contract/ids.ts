import * as z from 'zod/mini';
import { strictObject } from './person.ts';

export const USER_ID_PATTERN = /^usr_[0-9a-f]{32}$/;
export const INVITATION_ID_PATTERN = /^inv_[0-9a-f]{32}$/;

export const UserIdSchema = z
  .string()
  .check(z.regex(USER_ID_PATTERN, 'A userId looks like usr_ followed by 32 characters 0-9 and a-f.'));
export const InvitationIdSchema = z
  .string()
  .check(
    z.regex(INVITATION_ID_PATTERN, 'An invitationId looks like inv_ followed by 32 characters 0-9 and a-f.'),
  );

export const UserIdParamsSchema = strictObject({ userId: UserIdSchema });
export const InvitationIdParamsSchema = strictObject({ invitationId: InvitationIdSchema });
