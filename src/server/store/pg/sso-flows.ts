import { flowFromRow, hashSsoId, ticketFromRow, type SsoFlowStore } from '../sso-flows.ts';
import type { PostgresDatabase } from './database.ts';

/** Pending single sign-ons and logout tickets in PostgreSQL: any instance finishes what another started, once. */
export function createPostgresSsoFlowStore(db: PostgresDatabase): SsoFlowStore {
  return {
    async saveFlow(id, flow, now) {
      await db.query('DELETE FROM sso_flows WHERE expires_at <= $1', [now]);
      await db.query(
        `INSERT INTO sso_flows (id_hash, state, nonce, verifier, redirect_uri, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [hashSsoId(id), flow.state, flow.nonce, flow.verifier, flow.redirectUri, flow.expiresAt],
      );
    },
    async takeFlow(id, now) {
      const { rows } = await db.query(
        'DELETE FROM sso_flows WHERE id_hash = $1 RETURNING state, nonce, verifier, redirect_uri, expires_at',
        [hashSsoId(id)],
      );
      return flowFromRow(rows[0], now);
    },
    async saveLogoutTicket(id, ticket, now) {
      await db.query('DELETE FROM sso_logout_tickets WHERE expires_at <= $1', [now]);
      await db.query('INSERT INTO sso_logout_tickets (id_hash, id_token, expires_at) VALUES ($1, $2, $3)', [
        hashSsoId(id),
        ticket.idToken ?? null,
        ticket.expiresAt,
      ]);
    },
    async takeLogoutTicket(id, now) {
      const { rows } = await db.query(
        'DELETE FROM sso_logout_tickets WHERE id_hash = $1 RETURNING id_token, expires_at',
        [hashSsoId(id)],
      );
      return ticketFromRow(rows[0], now);
    },
  };
}
