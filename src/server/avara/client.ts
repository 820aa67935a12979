import * as z from 'zod/mini';
import { toQueryString } from '../../contract/query.ts';
import { InvitationPageSchema, InvitationSchema } from '../../contract/invitations.ts';
import type { Invitation, InvitationPage, ListInvitationsQuery } from '../../contract/invitations.ts';
import { ActionResultSchema, UserPageSchema, UserSchema } from '../../contract/users.ts';
import type {
  ActionResult,
  InviteUser,
  ListUsersQuery,
  UpdateUser,
  User,
  UserPage,
} from '../../contract/users.ts';
import { compiled } from './compiled-schemas.ts';
import { AvaraTransport } from './transport.ts';
import type { AvaraTransportOptions, UpstreamCall } from './transport.ts';
import { UpstreamError } from './upstream-error.ts';

/** Per-call context: the request id (sent as x-request-id) and the browser's Idempotency-Key for writes. */
export interface CallContext {
  requestId?: string | undefined;
  idempotencyKey?: string | undefined;
  /** Told the upstream's HTTP status of a successful answer (the audit trail records it). */
  onStatus?: ((status: number) => void) | undefined;
}

/** The contract's answer schemas, compiled once for the server (see compiled-schemas.ts). */
const Answer = {
  user: compiled(UserSchema),
  userPage: compiled(UserPageSchema),
  invitation: compiled(InvitationSchema),
  invitationPage: compiled(InvitationPageSchema),
  action: compiled(ActionResultSchema),
};

const USERS = '/v1/viewer/users';
const INVITATIONS = '/v1/viewer/users/invitations';

/** The Avara Viewer users API, one method per endpoint; every answer is parsed with the contract before it is returned. */
export class AvaraClient {
  readonly #transport: AvaraTransport;

  constructor(options: AvaraTransportOptions) {
    this.#transport = new AvaraTransport(options);
  }

  inviteUser(input: InviteUser, ctx: CallContext = {}): Promise<User> {
    return this.#call(Answer.user, { method: 'POST', path: USERS, body: input }, ctx);
  }

  listUsers(query: ListUsersQuery, ctx: CallContext = {}): Promise<UserPage> {
    return this.#call(Answer.userPage, { method: 'GET', path: USERS, query: toQueryString(query) }, ctx);
  }

  getUser(userId: string, ctx: CallContext = {}): Promise<User> {
    return this.#call(Answer.user, { method: 'GET', path: `${USERS}/${encodeURIComponent(userId)}` }, ctx);
  }

  updateUser(userId: string, patch: UpdateUser, ctx: CallContext = {}): Promise<User> {
    return this.#call(
      Answer.user,
      { method: 'PATCH', path: `${USERS}/${encodeURIComponent(userId)}`, body: patch },
      ctx,
    );
  }

  revokeAccess(userId: string, ctx: CallContext = {}): Promise<ActionResult> {
    return this.#call(
      Answer.action,
      { method: 'POST', path: `${USERS}/revoke-access`, body: { userId } },
      ctx,
    );
  }

  reactivateUser(userId: string, ctx: CallContext = {}): Promise<ActionResult> {
    return this.#call(Answer.action, { method: 'POST', path: `${USERS}/reactivate`, body: { userId } }, ctx);
  }

  listInvitations(query: ListInvitationsQuery, ctx: CallContext = {}): Promise<InvitationPage> {
    return this.#call(
      Answer.invitationPage,
      { method: 'GET', path: INVITATIONS, query: toQueryString(query) },
      ctx,
    );
  }

  getInvitation(invitationId: string, ctx: CallContext = {}): Promise<Invitation> {
    return this.#call(
      Answer.invitation,
      { method: 'GET', path: `${INVITATIONS}/${encodeURIComponent(invitationId)}` },
      ctx,
    );
  }

  updateInvitation(invitationId: string, patch: UpdateUser, ctx: CallContext = {}): Promise<Invitation> {
    return this.#call(
      Answer.invitation,
      { method: 'PATCH', path: `${INVITATIONS}/${encodeURIComponent(invitationId)}`, body: patch },
      ctx,
    );
  }

  revokeInvitation(invitationId: string, ctx: CallContext = {}): Promise<ActionResult> {
    return this.#call(
      Answer.action,
      { method: 'POST', path: `${INVITATIONS}/revoke`, body: { invitationId } },
      ctx,
    );
  }

  /** One cheap read (a one-user list) with a short deadline and no retry, for the readiness check. */
  async checkReachable({ timeoutMs }: { timeoutMs: number }): Promise<void> {
    await this.#call(
      Answer.userPage,
      { method: 'GET', path: USERS, query: '?limit=1', timeoutMs, noRetry: true },
      {},
    );
  }

  close(): Promise<void> {
    return this.#transport.close();
  }

  async #call<Schema extends z.core.$ZodType>(
    schema: Schema,
    call: Omit<UpstreamCall, 'requestId' | 'idempotencyKey'>,
    ctx: CallContext,
  ) {
    const { status, data } = await this.#transport.send({
      ...call,
      requestId: ctx.requestId,
      // Only writes carry an idempotency key; reads are naturally repeatable.
      idempotencyKey: call.method === 'GET' ? undefined : ctx.idempotencyKey,
    });
    const parsed = z.safeParse(schema, data);
    if (!parsed.success) throw new UpstreamError({ kind: 'invalid-response', status });
    ctx.onStatus?.(status);
    return parsed.data;
  }
}
