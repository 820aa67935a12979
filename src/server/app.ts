import { constants as zlib } from 'node:zlib';
import { randomUUID } from 'node:crypto';
import fastifyCompress from '@fastify/compress';
import Fastify, { LogController } from 'fastify';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { OperatorRole } from '../contract/session.ts';
import type { BootstrapResult } from './auth/bootstrap.ts';
import type { HashPoolOptions } from './auth/hash-pool.ts';
import type { PasswordCost, PasswordHasher } from './auth/password.ts';
import type { SessionSettings, SignInLimits } from './auth/session-manager.ts';
import type { SsoSettings } from './auth/sso-settings.ts';
import type { CircuitBreakerOptions } from './avara/circuit-breaker.ts';
import type { ConcurrencyLimiterOptions } from './avara/concurrency-limiter.ts';
import type { RetryPolicy } from './avara/retry.ts';
import type { DirectorySettings } from './directory/directory.ts';
import { logFormatters, logSerializers, redactLogObject } from './logging.ts';
import { apiPlugin } from './plugins/api.ts';
import { answerClientError } from './plugins/client-errors.ts';
import { BODY_LIMIT_BYTES, answerFrameworkError, registerErrorPolicy } from './plugins/error-policy.ts';
import { registerHostCheck } from './plugins/host-check.ts';
import { registerJsonBody } from './plugins/json-body.ts';
import { registerPageShell } from './plugins/page-shell.ts';
import { registerSecurityHeaders } from './plugins/security-headers.ts';
import { registerHealthRoutes } from './routes/health.ts';
import { registerSsoRoutes } from './routes/sso.ts';
import { registerLogLines } from './security/log-lines.ts';
import { createServices } from './services.ts';
import type { Store } from './store/store.ts';

/** Everything the BFF needs, explicitly: main.ts builds it from the environment, tests build it directly. */
export interface AppConfig {
  mode: 'sandbox' | 'live';
  upstream: {
    baseUrl: string;
    apiKey: string;
    timeoutMs: number;
    /** Tests shorten the backoff; production uses the defaults. */
    retry?: Partial<RetryPolicy> | undefined;
    /** When to stop calling Avara after repeated failures, and for how long (UPSTREAM_BREAKER_*). */
    /** `now` is for tests: the breaker's own clock, so its open period can pass without waiting. */
    breaker?: Pick<CircuitBreakerOptions, 'failureThreshold' | 'openMs' | 'now'> | undefined;
    /** How many requests may be at Avara at once, and how long others wait (UPSTREAM_MAX_CONCURRENT, ...). */
    concurrency?: ConcurrencyLimiterOptions | undefined;
  };
  /** How long an Idempotency-Key is remembered (IDEMPOTENCY_TTL_HOURS; default 24 h). */
  idempotency?: { ttlMs?: number | undefined } | undefined;
  /** The directory's refresh from Avara (DIRECTORY_REFRESH_MINUTES); absent: refreshed only when asked or changed. */
  directory?: DirectorySettings | undefined;
  /** /readyz: how long an answer from Avara counts (default 2 000 ms). */
  readiness?: { cacheMs?: number | undefined } | undefined;
  /** The built SPA (e.g. dist/web/); when absent only the API and /healthz are served. */
  staticDir?: string | undefined;
  logger?: FastifyServerOptions['logger'];
  /** Where the log lines go (default stdout). Tests collect them to prove nothing secret is ever written. */
  logStream?: { write(chunk: string): void } | undefined;
  /** DATA_DIR: the BFF's own database (operators, sessions, audit trail) lives here; ':memory:' for tests. */
  dataDir: string;
  /** DATABASE_URL (and DATABASE_POOL_SIZE): the state in PostgreSQL instead of DATA_DIR's SQLite file. */
  database?: { url: string; poolSize?: number | undefined } | undefined;
  /** A store to use instead of opening DATA_DIR's (tests inject one whose audit log fails). Not closed by the app. */
  store?: Store | undefined;
  /** The first operator, created when there is none (ADMIN_EMAIL / ADMIN_PASSWORD). */
  admin?: { email?: string | undefined; password?: string | undefined } | undefined;
  /** Single sign-on (OIDC_*, LOCAL_SIGN_IN); absent: passwords only, as before. */
  sso?: SsoSettings | undefined;
  /** Told about every route as it is registered (the route-inventory test enumerates /api with it). */
  onRoute?:
    | ((route: { method: string | string[]; url: string; role?: OperatorRole | undefined }) => void)
    | undefined;
  /** Told when the first operator was just created (main.ts prints where the generated password is). */
  onFirstOperator?: ((result: Extract<BootstrapResult, { created: true }>) => void) | undefined;
  security?:
    | {
        session?: SessionSettings | undefined;
        signInLimits?: SignInLimits | undefined;
        /** Requests per operator per window on /api. */
        apiLimit?: { requests: number; windowMs: number } | undefined;
        /** TRUST_PROXY: the proxies whose X-Forwarded-* headers are believed (never everyone). */
        trustProxy?: readonly string[] | undefined;
        /** PUBLIC_ORIGIN: the origins browsers use (unset: loopback only; see plugins/host-check.ts). */
        publicOrigins?: readonly string[] | undefined;
        /** Tests only: a cheap scrypt cost (see auth/password.ts). Production always uses OWASP_PASSWORD_COST. */
        passwordCost?: PasswordCost | undefined;
        /** Tests only: a hasher to use instead (one whose answers a test holds back, to fill the pool). */
        passwordHasher?: PasswordHasher | undefined;
        /** How many password hashes run at once and wait (default: sized to the cores; see auth/hash-pool.ts). */
        hashPool?: HashPoolOptions | undefined;
        /** The clock (tests). */
        now?: (() => number) | undefined;
      }
    | undefined;
}

/**
 * Build the BFF (never listens: see start.ts). Wiring only: each concern is a plugin file of its own (plugins/), the
 * /api routes live in one gated context (plugins/api.ts), and what the routes work with is built in services.ts.
 */
export async function buildApp(config: AppConfig): Promise<FastifyInstance> {
  const security = config.security ?? {};
  const trustProxy = security.trustProxy ?? [];
  const app = Fastify({
    logger: loggerOptions(config.logger, config.logStream),
    // Only the listed proxies' X-Forwarded-For / -Proto / -Host are believed (request.ip, .protocol, .host).
    trustProxy: trustProxy.length > 0 ? [...trustProxy] : false,
    bodyLimit: BODY_LIMIT_BYTES,
    // One line per failure (in the error handler), not two per request: the default is too chatty for `npm start`.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    // Always our own id: it goes upstream, and nothing the browser sends does (an incoming x-request-id is ignored).
    genReqId: () => randomUUID(),
    // Each request's logger: its bindings (the request id) pass the same redaction as every logged object.
    childLoggerFactory: (logger, bindings, options) => logger.child(redactLogObject(bindings), options),
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
  });

  const onRoute = config.onRoute;
  if (onRoute)
    app.addHook('onRoute', (route) =>
      onRoute({ method: route.method, url: route.url, role: route.config?.role }),
    );

  const services = await createServices(app, config);
  registerLogLines(app);
  registerSecurityHeaders(app);
  registerHostCheck(app, { publicOrigins: security.publicOrigins });
  registerJsonBody(app);
  registerErrorPolicy(app);
  await app.register(fastifyCompress, {
    global: true,
    threshold: 1024,
    encodings: ['br', 'gzip'],
    // Quality 4: most of brotli's gain for a fraction of its default (11) CPU cost, since we compress on the fly.
    brotliOptions: { params: { [zlib.BROTLI_PARAM_QUALITY]: 4 } },
  });
  registerHealthRoutes(app, { readiness: services.readiness });
  await app.register(apiPlugin, {
    mode: config.mode,
    sessions: services.sessions,
    operators: services.operators,
    audit: services.store.audit,
    client: services.client,
    directory: { store: services.store.directory, service: services.directory },
    personNames: (ids) => services.store.directory.namesOf(ids),
    idempotent: services.idempotency.run,
    bulk: {
      store: services.store.bulk,
      audit: services.audit,
      jobs: services.bulkJobs,
      checkConcurrency: services.upstreamConcurrency,
    },
    apiLimit: security.apiLimit,
    apiRateLimit: services.limits.api,
    now: services.now,
    sso: services.sso,
  });
  if (services.sso) {
    registerSsoRoutes(app, {
      sso: services.sso,
      sessions: services.sessions,
      now: services.now,
      starts: services.limits.ssoStarts,
      startsAll: services.limits.ssoStartsAll,
      tickets: services.store.ssoFlows,
    });
  }
  await registerPageShell(app, {
    staticDir: config.staticDir,
    sessions: services.sessions,
    mode: config.mode,
    sso: services.sso,
  });
  return app;
}

/**
 * JSON lines through pino: serializers decide what a request looks like in a log (never headers or bodies; query
 * values redacted), the formatters blank secrets if an object carrying one is ever logged anyway (logging.ts).
 */
function loggerOptions(
  logger: AppConfig['logger'],
  stream: AppConfig['logStream'],
): FastifyServerOptions['logger'] {
  if (logger === undefined || logger === false) return false;
  const base = {
    level: 'info',
    formatters: logFormatters,
    serializers: logSerializers,
    ...(stream ? { stream } : {}),
  };
  return logger === true ? base : { ...base, ...logger };
}
