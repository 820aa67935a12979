import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createAuditTrail } from './audit/audit-trail.ts';
import type { AuditTrail } from './audit/audit-trail.ts';
import { bootstrapFirstOperator, removeInitialPasswordFile } from './auth/bootstrap.ts';
import { DEVICE_TOKEN_SECRET, DEVICE_TOKEN_SECRET_BYTES, createDeviceTokens } from './auth/device-token.ts';
import { poolHasher } from './auth/hash-pool.ts';
import { createOperatorService } from './auth/operator-service.ts';
import type { OperatorService } from './auth/operator-service.ts';
import { OWASP_PASSWORD_COST, createPasswordHasher } from './auth/password.ts';
import { createSessionManager } from './auth/session-manager.ts';
import { createSso } from './auth/sso.ts';
import type { Sso } from './auth/sso.ts';
import type { SessionManager } from './auth/session-manager.ts';
import { AvaraClient } from './avara/client.ts';
import { CircuitBreaker } from './avara/circuit-breaker.ts';
import { ConcurrencyLimiter } from './avara/concurrency-limiter.ts';
import { createBulkJobs } from './bulk/bulk-jobs.ts';
import type { BulkJobs } from './bulk/bulk-jobs.ts';
import { createDirectory } from './directory/directory.ts';
import type { Directory } from './directory/directory.ts';
import { dispositionOf } from './idempotency/disposition.ts';
import { createIdempotency } from './idempotency/idempotent-route.ts';
import type { Idempotency } from './idempotency/idempotent-route.ts';
import { createReadiness } from './readiness.ts';
import { SSO_START_ALL_LIMIT, SSO_START_LIMIT } from './routes/sso.ts';
import { DEFAULT_API_LIMIT } from './security/api-gate.ts';
import type { SharedRateLimit } from './security/rate-limit.ts';
import { DEFAULT_SIGN_IN_LIMITS } from './auth/session-manager.ts';
import type { Readiness } from './readiness.ts';
import { openStore } from './store/open.ts';
import type { Store } from './store/store.ts';
import type { AppConfig } from './app.ts';

/** Ended sessions are deleted this often (they are refused at once anyway; this only keeps the table small). */
const SESSION_SWEEP_MS = 10 * 60_000;
export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
/** Sign-in failures, requests and reservations that no longer count are deleted this often. */
const LIMITS_PURGE_MS = 10 * 60_000;
/** Expired idempotency keys are deleted this often. */
const IDEMPOTENCY_PURGE_MS = 60 * 60_000;

export interface Services {
  store: Store;
  client: AvaraClient;
  sessions: SessionManager;
  operators: OperatorService;
  idempotency: Idempotency;
  /** The trail the bulk invite writes its batch records to. */
  audit: AuditTrail;
  /** The bulk invite worker (started when the app is ready, stopped before it closes). */
  bulkJobs: BulkJobs;
  /** The directory's refresh and corrections (started when the app is ready, stopped before it closes). */
  directory: Directory;
  /** Upstream requests at once (UPSTREAM_MAX_CONCURRENT). */
  upstreamConcurrency: number;
  readiness: () => Promise<Readiness>;
  now: () => number;
  /** Single sign-on, when configured. */
  sso: Sso | undefined;
  /** Requests per operator on /api, and single sign-ons started per address: shared by instances on PostgreSQL. */
  limits: { api: SharedRateLimit; ssoStarts: SharedRateLimit; ssoStartsAll: SharedRateLimit };
}

/**
 * What the routes work with, built from the config: the Avara client behind its breaker and concurrency limit, the
 * database, sessions, operators, idempotency and readiness, the first operator when there is none, and the periodic
 * clean-ups. Everything that must stop is stopped when the app closes.
 */
export async function createServices(app: FastifyInstance, config: AppConfig): Promise<Services> {
  const security = config.security ?? {};
  const breaker = new CircuitBreaker({
    ...config.upstream.breaker,
    onStateChange: ({ from, to }) =>
      app.log.warn({ breaker: { from, to } }, `The circuit breaker in front of Avara is now ${to}`),
  });
  const limiter = new ConcurrencyLimiter(config.upstream.concurrency);
  const client = new AvaraClient({
    baseUrl: config.upstream.baseUrl,
    apiKey: config.upstream.apiKey,
    timeoutMs: config.upstream.timeoutMs,
    retry: config.upstream.retry,
    breaker,
    limiter,
    // A connection for every request the limit lets through, so none waits in the pool as well.
    connections: limiter.maxConcurrent,
    onRetry: (event) => app.log.warn({ upstream: event }, 'Retrying a read from Avara'),
    onEchoedKey: (event) =>
      app.log.error({ upstream: event }, "Avara's answer held the API key: not used or kept"),
  });
  app.addHook('onClose', () => client.close());

  const store =
    config.store ??
    (await openStore({
      dataDir: config.dataDir,
      database: config.database,
      // Only its message and code reach here (pg/database.ts): never the connection's settings.
      onError: (error) =>
        app.log.warn({ err: error }, 'A connection to PostgreSQL was lost; the next one reconnects'),
    }));
  if (!config.store) app.addHook('onClose', async () => store.close());
  const now = security.now ?? (() => Date.now());
  // Every password hash and verification of the server shares one bounded pool.
  const hasher = poolHasher(
    security.passwordHasher ?? createPasswordHasher(security.passwordCost ?? OWASP_PASSWORD_COST),
    security.hashPool,
  );
  const devices = createDeviceTokens({
    secret: await store.secrets.getOrCreate(DEVICE_TOKEN_SECRET, DEVICE_TOKEN_SECRET_BYTES),
    now,
  });
  const audit = createAuditTrail(store.audit, {
    now,
    onError: (error) => app.log.error({ err: error }, 'The activity log could not be written'),
  });
  // Throttles and rate limits live where the store keeps them: this process's memory beside SQLite, the database
  // shared by every instance on PostgreSQL.
  const signInLimits = security.signInLimits ?? DEFAULT_SIGN_IN_LIMITS;
  const throttle = store.limits.signInThrottle({
    limit: signInLimits.failures,
    windowMs: signInLimits.windowMinutes * 60_000,
    now,
  });
  const apiLimit = security.apiLimit ?? DEFAULT_API_LIMIT;
  const limits = {
    api: store.limits.rateLimit('api', { limit: apiLimit.requests, windowMs: apiLimit.windowMs, now }),
    ssoStarts: store.limits.rateLimit('sso-start', { ...SSO_START_LIMIT, now, maxKeys: 10_000 }),
    ssoStartsAll: store.limits.rateLimit('sso-start-all', { ...SSO_START_ALL_LIMIT, now, maxKeys: 1 }),
  };
  const purgeLimits = () =>
    store.limits
      .purgeExpired(now())
      .catch((error: unknown) => app.log.warn({ err: error }, 'Expired sign-in counts could not be purged'));
  every(app, LIMITS_PURGE_MS, purgeLimits);
  const sessions = createSessionManager({
    operators: store.operators,
    sessions: store.sessions,
    audit,
    hasher,
    settings: security.session,
    signInLimits,
    throttle,
    devices,
    log: app.log,
    now,
    onError: (error, message) => app.log.error({ err: error }, message),
    onPasswordChanged: (operator) => {
      if (config.dataDir !== ':memory:') removeInitialPasswordFile(config.dataDir, operator.email);
    },
  });
  const operators = createOperatorService({
    operators: store.operators,
    sessions: store.sessions,
    audit,
    hasher,
    now,
  });
  const sso = config.sso
    ? createSso({
        settings: config.sso,
        identities: store.identities,
        operators: store.operators,
        sessionStore: store.sessions,
        flows: store.ssoFlows,
        sessions,
        audit,
        now,
        log: app.log,
      })
    : undefined;
  if (sso) {
    // Read the provider's metadata early (the sign-in screen then knows whether it offers sign-out).
    app.addHook('onReady', async () => {
      void sso.warmUp();
    });
  } else {
    // With single sign-on, the first operator is whoever signs in first through it (an Administrator).
    const firstOperator = await bootstrapFirstOperator({
      operators: store.operators,
      hasher,
      dataDir: config.dataDir,
      adminEmail: config.admin?.email,
      adminPassword: config.admin?.password,
      now,
    });
    if (firstOperator.created) config.onFirstOperator?.(firstOperator);
  }
  app.addHook('onClose', async () => sessions.close());
  every(app, SESSION_SWEEP_MS, () =>
    sessions
      .sweep()
      .catch((error: unknown) => app.log.warn({ err: error }, 'Ended sessions could not be swept')),
  );

  // Idempotency keys: with SQLite, claims still in flight were left by a previous process (their outcome is unknown
  // now). A shared PostgreSQL also holds the claims of instances still running: there, leases alone decide.
  if (store.kind !== 'postgres') await store.idempotency.abandonInFlight(now());
  const purgeKeys = () =>
    store.idempotency
      .purgeExpired(now())
      .catch((error: unknown) =>
        app.log.warn({ err: error }, 'Expired idempotency keys could not be purged'),
      );
  await purgeKeys();
  every(app, IDEMPOTENCY_PURGE_MS, purgeKeys);
  const idempotency = createIdempotency({
    store: store.idempotency,
    audit,
    ttlMs: config.idempotency?.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS,
    // Longer than any one request can take (an invite may look the email up first, each call may queue).
    leaseMs: Math.max(60_000, 4 * config.upstream.timeoutMs + limiter.queueTimeoutMs + 10_000),
    now,
    dispositionOf,
    onStoreError: (error) => app.log.error({ err: error }, 'An idempotency key could not be recorded'),
  });
  // This instance among those sharing the database: the holder of the batches and the directory walk it works.
  const instanceId = `inst_${randomUUID()}`;
  const directory = createDirectory({
    store: store.directory,
    client,
    log: app.log,
    now,
    settings: config.directory,
    instanceId,
    shared: store.kind === 'postgres',
  });
  app.addHook('onReady', () => directory.start());
  app.addHook('preClose', () => directory.stop());
  // One slot fewer than the upstream allows, so operators' own requests never queue behind a batch.
  const bulkJobs = createBulkJobs({
    store: store.bulk,
    audit: store.audit,
    client,
    execute: idempotency.execute,
    slots: limiter.maxConcurrent - 1,
    now,
    log: app.log,
    onInvited: (user, requestId) => directory.syncUser(user.userId, requestId, user),
    instanceId,
    shared: store.kind === 'postgres',
  });
  app.addHook('onReady', () => bulkJobs.start());
  app.addHook('preClose', () => bulkJobs.stop());
  const readiness = createReadiness({
    ping: () => store.ping(),
    client,
    breaker,
    cacheMs: config.readiness?.cacheMs,
    timeoutMs: Math.min(2_000, config.upstream.timeoutMs),
  });
  return {
    store,
    client,
    sessions,
    operators,
    idempotency,
    audit,
    bulkJobs,
    directory,
    upstreamConcurrency: limiter.maxConcurrent,
    readiness,
    now,
    sso,
    limits,
  };
}

/** Run `task` every `ms` until the app closes (never keeping the process alive on its own). */
function every(app: FastifyInstance, ms: number, task: () => unknown): void {
  const timer = setInterval(task, ms);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));
}
