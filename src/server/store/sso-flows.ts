import { hash } from 'node:crypto';
import * as z from 'zod/mini';
import type { SqliteDatabase } from './sqlite.ts';

/**
 * Single sign-ons on their way through the provider, and the logout tickets of finished ones, kept in the database so
 * a sign-in started on one instance can finish on another. Each is found by the SHA-256 of the id its browser holds,
 * and taken once: the row is deleted as it is read, so a replayed callback (or ticket) finds nothing.
 */
export interface PendingSsoFlow {
  state: string;
  nonce: string;
  verifier: string;
  redirectUri: string;
  expiresAt: number;
}

export interface SsoLogoutTicket {
  /** The ID token of that sign-in, for the provider's sign-out (id_token_hint). */
  idToken: string | undefined;
  expiresAt: number;
}

export interface SsoFlowStore {
  /** Keep a new flow (and forget the ones that expired by `now`). */
  saveFlow(id: string, flow: PendingSsoFlow, now: number): Promise<void>;
  /** The flow, taken away; undefined when unknown, already taken or expired by `now`. */
  takeFlow(id: string, now: number): Promise<PendingSsoFlow | undefined>;
  saveLogoutTicket(id: string, ticket: SsoLogoutTicket, now: number): Promise<void>;
  /** The ticket, taken away; undefined when unknown, already taken or expired by `now`. */
  takeLogoutTicket(id: string, now: number): Promise<SsoLogoutTicket | undefined>;
}

export const hashSsoId = (id: string): string => hash('sha256', id, 'hex');

const FlowRowSchema = z.object({
  state: z.string(),
  nonce: z.string(),
  verifier: z.string(),
  redirect_uri: z.string(),
  expires_at: z.number(),
});
const TicketRowSchema = z.object({ id_token: z.nullable(z.string()), expires_at: z.number() });

export function flowFromRow(row: unknown, now: number): PendingSsoFlow | undefined {
  if (row === undefined) return undefined;
  const r = FlowRowSchema.parse(row);
  if (r.expires_at <= now) return undefined;
  return {
    state: r.state,
    nonce: r.nonce,
    verifier: r.verifier,
    redirectUri: r.redirect_uri,
    expiresAt: r.expires_at,
  };
}

export function ticketFromRow(row: unknown, now: number): SsoLogoutTicket | undefined {
  if (row === undefined) return undefined;
  const r = TicketRowSchema.parse(row);
  if (r.expires_at <= now) return undefined;
  return { idToken: r.id_token ?? undefined, expiresAt: r.expires_at };
}

export function createSqliteSsoFlowStore(db: SqliteDatabase): SsoFlowStore {
  const insertFlow = db.prepare(
    `INSERT INTO sso_flows (id_hash, state, nonce, verifier, redirect_uri, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const takeFlow = db.prepare(
    'DELETE FROM sso_flows WHERE id_hash = ? RETURNING state, nonce, verifier, redirect_uri, expires_at',
  );
  const expiredFlows = db.prepare('DELETE FROM sso_flows WHERE expires_at <= ?');
  const insertTicket = db.prepare(
    'INSERT INTO sso_logout_tickets (id_hash, id_token, expires_at) VALUES (?, ?, ?)',
  );
  const takeTicket = db.prepare(
    'DELETE FROM sso_logout_tickets WHERE id_hash = ? RETURNING id_token, expires_at',
  );
  const expiredTickets = db.prepare('DELETE FROM sso_logout_tickets WHERE expires_at <= ?');
  return {
    async saveFlow(id, flow, now) {
      expiredFlows.run(now);
      insertFlow.run(hashSsoId(id), flow.state, flow.nonce, flow.verifier, flow.redirectUri, flow.expiresAt);
    },
    async takeFlow(id, now) {
      return flowFromRow(takeFlow.get(hashSsoId(id)), now);
    },
    async saveLogoutTicket(id, ticket, now) {
      expiredTickets.run(now);
      insertTicket.run(hashSsoId(id), ticket.idToken ?? null, ticket.expiresAt);
    },
    async takeLogoutTicket(id, now) {
      return ticketFromRow(takeTicket.get(hashSsoId(id)), now);
    },
  };
}
