import { randomUUID } from 'node:crypto';
import { basename, relative, resolve, sep } from 'node:path';
import { constants as zlib } from 'node:zlib';
import fastifyCompress from '@fastify/compress';
import fastifyStatic from '@fastify/static';
import Fastify, { LogController } from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { AvaraClient } from './avara/client.ts';
import { CircuitBreaker } from './avara/circuit-breaker.ts';
import type { CircuitBreakerOptions } from './avara/circuit-breaker.ts';
import { ConcurrencyLimiter } from './avara/concurrency-limiter.ts';
import type { ConcurrencyLimiterOptions } from './avara/concurrency-limiter.ts';
import { problemForUpstreamError } from './avara/problem-mapping.ts';
import type { RetryPolicy } from './avara/retry.ts';
import { UpstreamError } from './avara/upstream-error.ts';
import { AuditUnavailableError, createAuditTrail } from './audit/audit-trail.ts';
import type { ShellBootstrap } from '../contract/session.ts';
import { readSessionCookie } from './auth/cookie.ts';
import { bootstrapFirstOperator, removeInitialPasswordFile } from './auth/bootstrap.ts';
import type { BootstrapResult } from './auth/bootstrap.ts';
import { createOperatorService } from './auth/operator-service.ts';
import { OWASP_PASSWORD_COST, createPasswordHasher } from './auth/password.ts';
import type { PasswordCost } from './auth/password.ts';
import { auditUnavailableProblem, createSessionManager } from './auth/session-manager.ts';
import type { SessionSettings, SignInLimits } from './auth/session-manager.ts';
import { dispositionOf } from './idempotency/disposition.ts';
import { createIdempotency } from './idempotency/idempotent-route.ts';
import { hasDuplicateKeys } from './json-duplicate-keys.ts';
import { logFormatters, logSerializers, redactLogObject } from './logging.ts';
import { ProblemError, toProblem } from './problems.ts';
import type { ProblemInit } from './problems.ts';
import { registerAuditRoutes } from './routes/audit.ts';
import { registerInvitationRoutes } from './routes/invitations.ts';
import { registerMetaRoutes } from './routes/meta.ts';
import { registerOperatorRoutes } from './routes/operators.ts';
import { UpstreamProblemError } from './routes/route-helpers.ts';
import { registerSessionRoutes } from './routes/session.ts';
import { registerUserRoutes } from './routes/users.ts';
import { createReadiness } from './readiness.ts';
import { isApiPath, registerApiGuard } from './security/api-guard.ts';
import { createSpaShell } from './spa-shell.ts';
import { openSqliteStore } from './store/store.ts';
import type { Store } from './store/store.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route reads a query string (the lists); every other /api route refuses one. */
    query?: boolean;
  }
}

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
    breaker?: Pick<CircuitBreakerOptions, 'failureThreshold' | 'openMs'> | undefined;
    /** How many requests may be at Avara at once, and how long others wait (UPSTREAM_MAX_CONCURRENT, ...). */
    concurrency?: ConcurrencyLimiterOptions | undefined;
  };
  /** How long an Idempotency-Key is remembered (IDEMPOTENCY_TTL_HOURS; default 24 h). */
  idempotency?: { ttlMs?: number | undefined } | undefined;
  /** /readyz: how long an answer from Avara counts (default 2 000 ms). */
  readiness?: { cacheMs?: number | undefined } | undefined;
  /** The built SPA (e.g. dist/); when absent only the API and /healthz are served. */
  staticDir?: string | undefined;
  logger?: FastifyServerOptions['logger'];
  /** Where the log lines go (default stdout). Tests collect them to prove nothing secret is ever written. */
  logStream?: { write(chunk: string): void } | undefined;
  /** DATA_DIR: the BFF's own database (operators, sessions, audit trail) lives here; ':memory:' for tests. */
  dataDir: string;
  /** A store to use instead of opening DATA_DIR's (tests inject one whose audit log fails). Not closed by the app. */
  store?: Store | undefined;
  /** The first operator, created when there is none (ADMIN_EMAIL / ADMIN_PASSWORD). */
  admin?: { email?: string | undefined; password?: string | undefined } | undefined;
  /** Told about every route as it is registered (the route-inventory test enumerates /api with it). */
  onRoute?: ((route: { method: string | string[]; url: string }) => void) | undefined;
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
        /** Tests only: a cheap scrypt cost (see auth/password.ts). Production always uses OWASP_PASSWORD_COST. */
        passwordCost?: PasswordCost | undefined;
        /** The clock (tests). */
        now?: (() => number) | undefined;
      }
    | undefined;
}

/** Ended sessions are deleted this often (they are refused at once anyway; this only keeps the table small). */
const SESSION_SWEEP_MS = 10 * 60_000;
export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
/** Expired idempotency keys are deleted this often. */
const IDEMPOTENCY_PURGE_MS = 60 * 60_000;

export const BODY_LIMIT_BYTES = 64 * 1024;
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Build the BFF (never listens: see start.ts). */
export async function buildApp(config: AppConfig): Promise<FastifyInstance> {
  const security = config.security ?? {};
  const trustProxy = security.trustProxy ?? [];
  const app = Fastify({
    logger: loggerOptions(config.logger, config.logStream),
    // Only the listed proxies' X-Forwarded-For / -Proto are believed (request.ip, request.protocol).
    trustProxy: trustProxy.length > 0 ? [...trustProxy] : false,
    bodyLimit: BODY_LIMIT_BYTES,
    // One line per failure (in the error handler), not two per request: the default is too chatty for `npm start`.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    // Always our own id: it goes upstream, and nothing the browser sends does (an incoming x-request-id is ignored).
    genReqId: () => randomUUID(),
    // Each request's logger: its bindings (the request id) pass the same redaction as every logged object.
    childLoggerFactory: (logger, bindings, options) => logger.child(redactLogObject(bindings), options),
    // A path the router cannot even read (bad escapes, an id longer than any real one) is still answered in our shape.
    frameworkErrors: (error, request, reply) => {
      reply.header('x-request-id', request.id);
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      return sendProblem(request, reply, {
        code: 'validation',
        status: tooLong ? 414 : 400,
        title: tooLong ? 'This address is too long' : 'This address is not valid',
        detail: 'Check the address, or go back to the start page.',
      });
    },
  });

  const onRoute = config.onRoute;
  if (onRoute) app.addHook('onRoute', (route) => onRoute({ method: route.method, url: route.url }));

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

  const store = config.store ?? openSqliteStore(config.dataDir);
  if (!config.store) app.addHook('onClose', async () => store.close());
  const now = security.now ?? (() => Date.now());
  const hasher = createPasswordHasher(security.passwordCost ?? OWASP_PASSWORD_COST);
  const audit = createAuditTrail(store.audit, {
    now,
    onError: (error) => app.log.error({ err: error }, 'The activity log could not be written'),
  });
  const sessions = createSessionManager({
    operators: store.operators,
    sessions: store.sessions,
    audit,
    hasher,
    settings: security.session,
    signInLimits: security.signInLimits,
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
  const firstOperator = await bootstrapFirstOperator({
    operators: store.operators,
    hasher,
    dataDir: config.dataDir,
    adminEmail: config.admin?.email,
    adminPassword: config.admin?.password,
    now,
  });
  if (firstOperator.created) config.onFirstOperator?.(firstOperator);
  const sweep = setInterval(() => {
    sessions
      .sweep()
      .catch((error: unknown) => app.log.warn({ err: error }, 'Ended sessions could not be swept'));
  }, SESSION_SWEEP_MS);
  sweep.unref();
  app.addHook('onClose', async () => clearInterval(sweep));

  // Idempotency keys: claims still in flight were left by a previous process (their outcome is unknown now).
  await store.idempotency.abandonInFlight(now());
  const purgeKeys = () =>
    store.idempotency
      .purgeExpired(now())
      .catch((error: unknown) =>
        app.log.warn({ err: error }, 'Expired idempotency keys could not be purged'),
      );
  await purgeKeys();
  const purge = setInterval(() => void purgeKeys(), IDEMPOTENCY_PURGE_MS);
  purge.unref();
  app.addHook('onClose', async () => clearInterval(purge));
  const idempotent = createIdempotency({
    store: store.idempotency,
    audit,
    ttlMs: config.idempotency?.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS,
    // Longer than any one request can take (an invite may look the email up first, each call may queue).
    leaseMs: Math.max(60_000, 4 * config.upstream.timeoutMs + limiter.queueTimeoutMs + 10_000),
    now,
    dispositionOf,
    onStoreError: (error) => app.log.error({ err: error }, 'An idempotency key could not be recorded'),
  });
  const readiness = createReadiness({
    ping: () => store.ping(),
    client,
    breaker,
    cacheMs: config.readiness?.cacheMs,
    timeoutMs: Math.min(2_000, config.upstream.timeoutMs),
  });

  // JSON only: an empty body counts as "no body" (action routes take none); text/plain is refused with 415.
  // `__proto__` and `constructor` keys are refused (400), and so is a field given twice (I-JSON, RFC 7493).
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    json(request, text, (error, value) => {
      if (!error && typeof value === 'object' && value !== null && hasDuplicateKeys(text)) {
        return done(
          new ProblemError({
            code: 'validation',
            status: 400,
            title: 'The request could not be read',
            detail: 'The same field is given twice. Send each field once.',
          }),
          undefined,
        );
      }
      done(error, value);
    });
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // The gate in front of every /api route (session, CSRF, content type, rate limit) and every response's headers.
  registerApiGuard(app, { sessions, apiLimit: security.apiLimit, now });

  // An /api route reads a query string only when it says so (`config: { query: true }`): anything else is refused
  // rather than ignored, so no parameter can slip past the contract to Avara or change what a route does.
  app.addHook('preValidation', async (request) => {
    if (!isApiPath(request.url) || request.routeOptions.config.query === true) return;
    const at = request.url.indexOf('?');
    if (at !== -1 && at < request.url.length - 1) {
      throw new ProblemError({
        code: 'validation',
        status: 400,
        title: 'This address takes no query parameters',
        detail: 'Remove everything after the "?" and try again.',
      });
    }
  });

  // One structured line per /api request: method, path with query values redacted, status, time, request id.
  app.addHook('onResponse', async (request, reply) => {
    if (isApiPath(request.url)) {
      request.log.info(
        { req: request, res: reply, responseTime: Math.round(reply.elapsedTime) },
        'request completed',
      );
    }
  });

  app.setErrorHandler((error: unknown, request, reply) => {
    const problem = problemForError(error);
    if (problem.status >= 500) request.log.error(logSummary(error), problem.title);
    else request.log.info(logSummary(error), problem.title);
    return sendProblem(request, reply, problem);
  });

  const shell = config.staticDir === undefined ? undefined : createSpaShell(resolve(config.staticDir));
  /**
   * The shell, with who is signed in written into it (the app's first render then needs no GET /api/session). It
   * names the operator, so it is never stored by a cache. If the session store cannot answer, the bootstrap block stays
   * empty and the app asks the API, which explains the failure.
   */
  const bootstrapFor = async (request: FastifyRequest): Promise<ShellBootstrap | undefined> => {
    try {
      const auth = await sessions.authenticate(readSessionCookie(request.headers.cookie));
      if (!auth) return { session: null, mode: null };
      const session = sessions.describe(auth);
      // Like GET /api/mode, which waits until a password set by someone else has been replaced.
      return { session, mode: session.mustChangePassword ? null : { mode: config.mode } };
    } catch (error) {
      request.log.warn({ err: error }, 'The session for the page shell could not be looked up');
      return undefined;
    }
  };
  const sendShell = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!shell) return reply.callNotFound();
    const bootstrap = await bootstrapFor(request);
    reply.header('cache-control', 'no-store');
    reply.type('text/html; charset=utf-8');
    return reply.send(shell.render(request.cspNonce, bootstrap));
  };

  app.setNotFoundHandler((request, reply) => {
    if (shell !== undefined && wantsSpaShell(request)) return sendShell(request, reply);
    return sendProblem(request, reply, {
      code: 'not-found',
      status: 404,
      title: 'There is nothing at this address',
      detail: 'Check the address, or go back to the start page.',
    });
  });

  await app.register(fastifyCompress, {
    global: true,
    threshold: 1024,
    encodings: ['br', 'gzip'],
    // Quality 4: most of brotli's gain for a fraction of its default (11) CPU cost, since we compress on the fly.
    brotliOptions: { params: { [zlib.BROTLI_PARAM_QUALITY]: 4 } },
  });

  registerMetaRoutes(app, { mode: config.mode, readiness });
  registerSessionRoutes(app, { sessions });
  registerOperatorRoutes(app, { operators });
  registerAuditRoutes(app, { audit: store.audit });
  registerUserRoutes(app, { client, idempotent });
  registerInvitationRoutes(app, { client, idempotent });

  if (config.staticDir !== undefined) {
    const root = resolve(config.staticDir);
    // The shell is never served as a plain file: it carries each response's CSP nonce.
    app.get('/', sendShell);
    app.get('/index.html', sendShell);
    await app.register(fastifyStatic, {
      root,
      wildcard: true,
      index: false,
      cacheControl: false,
      // The build writes .br and .gz beside each asset: sent as they are (compress's hook leaves encoded replies alone).
      preCompressed: true,
      // Build metadata such as .vite/manifest.json is not for browsers.
      dotfiles: 'ignore',
      // Source maps are never served, even if a build leaves some behind.
      allowedPath: (pathName) =>
        !pathName.endsWith('.map') && !isApiPath(pathName) && pathName !== '/index.html',
      setHeaders: (res, filePath) => {
        const path = relative(root, filePath).split(sep).join('/');
        res.setHeader('cache-control', path.startsWith('assets/') ? IMMUTABLE : 'no-cache');
        res.setHeader('vary', 'accept-encoding');
      },
    });
  }

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

/** A browser navigating to a client route (GET, wants HTML, not the API, not a file) gets the SPA shell. */
function wantsSpaShell(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const path = request.url.split('?')[0] ?? '';
  if (isApiPath(path) || path === '/healthz' || path === '/readyz') return false;
  if (basename(path).includes('.')) return false;
  const accept = request.headers.accept ?? '';
  return accept.includes('text/html');
}

function problemForError(error: unknown): ProblemInit {
  if (error instanceof ProblemError) return error.problem;
  if (error instanceof AuditUnavailableError) return auditUnavailableProblem().problem;
  if (error instanceof UpstreamError) return problemForUpstreamError(error, 'list-users');
  const code = errorCode(error);
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        code: 'validation',
        status: 413,
        title: 'The request is too large',
        detail: `Send at most ${BODY_LIMIT_BYTES / 1024} KiB at a time.`,
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        code: 'unsupported-media-type',
        status: 415,
        title: 'Send the details as JSON',
        detail: 'This address accepts JSON only (Content-Type: application/json).',
      };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return {
        code: 'validation',
        status: 400,
        title: 'The request could not be read',
        detail: 'Send valid JSON.',
      };
  }
  const status = errorStatus(error);
  if (status !== undefined && status >= 400 && status < 500) {
    return { code: 'validation', status, title: 'The request could not be read' };
  }
  return {
    code: 'internal',
    status: 500,
    title: 'Something went wrong in Viewer Admin',
    detail: 'Nothing more is known yet. Try again; if it keeps happening, tell whoever runs Viewer Admin.',
  };
}

function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: ProblemInit) {
  reply.code(problem.status);
  reply.header('content-type', 'application/problem+json; charset=utf-8');
  if (problem.status >= 400 && isApiPath(request.url)) reply.header('cache-control', 'no-store');
  if (problem.retryAfter !== undefined) reply.header('retry-after', String(problem.retryAfter));
  return reply.send(JSON.stringify(toProblem(problem, request.id)));
}

/** What the log gets about a failure: upstream errors by kind and status only (never their body). */
function logSummary(error: unknown): Record<string, unknown> {
  if (error instanceof UpstreamProblemError) {
    const { kind, status, attempts } = error.upstream;
    return { upstream: { kind, status, attempts } };
  }
  if (error instanceof ProblemError) return {};
  return { err: error };
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

function errorStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('statusCode' in error)) return undefined;
  return typeof error.statusCode === 'number' ? error.statusCode : undefined;
}
