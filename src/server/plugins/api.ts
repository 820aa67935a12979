import type { FastifyInstance, HTTPMethods } from 'fastify';
import type { Mode } from '../../contract/mode.ts';
import type { OperatorService } from '../auth/operator-service.ts';
import type { Sso } from '../auth/sso.ts';
import type { AuditTrail } from '../audit/audit-trail.ts';
import type { AvaraClient } from '../avara/client.ts';
import type { BulkJobs } from '../bulk/bulk-jobs.ts';
import type { Directory } from '../directory/directory.ts';
import type { RunIdempotent } from '../idempotency/idempotent-route.ts';
import { ProblemError } from '../problems.ts';
import { registerAuditRoutes } from '../routes/audit.ts';
import { registerBulkInviteRoutes } from '../routes/bulk-invites.ts';
import { registerDirectoryRoutes } from '../routes/directory.ts';
import { registerInvitationRoutes } from '../routes/invitations.ts';
import { registerModeRoute } from '../routes/mode.ts';
import { registerOperatorRoutes } from '../routes/operators.ts';
import { registerSessionRoutes } from '../routes/session.ts';
import { registerSignInMethodRoutes } from '../routes/sign-in-methods.ts';
import { registerTimelineRoute } from '../routes/timeline.ts';
import { registerUserRoutes } from '../routes/users.ts';
import { addApiGate, requireRouteRole } from '../security/api-gate.ts';
import type { ApiGateOptions } from '../security/api-gate.ts';
import type { PersonNames } from '../audit/person-names.ts';
import type { AuditStore } from '../store/audit.ts';
import type { BulkStore } from '../store/bulk.ts';
import type { DirectoryStore } from '../store/directory.ts';
import { NOT_FOUND } from './error-policy.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Registered inside the gated /api context (set for every such route, never by hand). */
    api?: boolean;
  }
}

export interface ApiOptions extends ApiGateOptions {
  mode: Mode['mode'];
  operators: OperatorService;
  audit: AuditStore;
  client: AvaraClient;
  directory: { store: DirectoryStore; service: Directory };
  /** Who the audit records are about, by name (the directory). */
  personNames: PersonNames;
  idempotent: RunIdempotent;
  bulk: { store: BulkStore; audit: AuditTrail; jobs: BulkJobs; checkConcurrency: number };
  /** Single sign-on, when OIDC_* is set. */
  sso?: Sso | undefined;
}

const METHODS: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * Every /api route, in one encapsulated context whose hooks are the gate (security/api-gate.ts): a route registered
 * here cannot be reached without meeting it, by any spelling of its path. Unknown /api paths meet the gate too
 * (then 404), and are never handed to the page shell or the static files.
 */
export async function apiPlugin(api: FastifyInstance, options: ApiOptions): Promise<void> {
  api.addHook('onRoute', (route) => {
    requireRouteRole(route);
    route.config = { ...route.config, api: true };
  });
  addApiGate(api, options);

  registerModeRoute(api, { mode: options.mode });
  registerSessionRoutes(api, { sessions: options.sessions });
  registerSignInMethodRoutes(api, { sso: options.sso });
  registerOperatorRoutes(api, { operators: options.operators });
  registerAuditRoutes(api, { audit: options.audit, client: options.client, names: options.personNames });
  const changes = {
    client: options.client,
    idempotent: options.idempotent,
    directory: options.directory.service,
  };
  registerUserRoutes(api, changes);
  registerInvitationRoutes(api, changes);
  registerDirectoryRoutes(api, {
    store: options.directory.store,
    directory: options.directory.service,
    now: options.now ?? (() => Date.now()),
  });
  registerTimelineRoute(api, { client: options.client, audit: options.audit, operators: options.operators });
  registerBulkInviteRoutes(api, {
    client: options.client,
    idempotent: options.idempotent,
    ...options.bulk,
    now: options.now ?? (() => Date.now()),
  });

  const notFound = async () => {
    throw new ProblemError(NOT_FOUND);
  };
  // Any signed-in operator learns that an unknown address holds nothing.
  api.route({ method: METHODS, url: '/api', config: { role: 'viewer' }, handler: notFound });
  api.route({ method: METHODS, url: '/api/*', config: { role: 'viewer' }, handler: notFound });
}
