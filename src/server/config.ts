import { isIPv4 } from 'node:net';
import * as z from 'zod/mini';
import { EmailSchema } from '../contract/person.ts';
import { NewPasswordSchema } from '../contract/session.ts';
import { parseSsoSettings } from './auth/sso-settings.ts';
import { TrustProxyError, parseTrustProxy } from './security/trust-proxy.ts';

/**
 * The environment the BFF reads, parsed once (in src/main.ts). Blank values count as absent, so an empty
 * `AVARA_API_KEY=` in a .env file means sandbox mode. Error messages name the variable and never echo its value.
 */

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const wholeNumber = (name: string, min: number, max: number) =>
  z.coerce
    .number(`${name} must be a number.`)
    .check(
      z.int(`${name} must be a whole number.`),
      z.minimum(min, `${name} must be between ${min} and ${max}.`),
      z.maximum(max, `${name} must be between ${min} and ${max}.`),
    );

export const EnvSchema = z.object({
  AVARA_API_KEY: z.optional(z.string()),
  AVARA_BASE_URL: z._default(
    z.url({
      protocol: /^https?$/,
      error: 'AVARA_BASE_URL must be an http:// or https:// URL, like https://api.avarasoftware.com.',
    }),
    'https://api.avarasoftware.com',
  ),
  HOST: z._default(z.string().check(z.minLength(1)), '127.0.0.1'),
  PORT: z._default(wholeNumber('PORT', 0, 65535), 8080),
  DATA_DIR: z._default(z.string().check(z.minLength(1)), './.data'),
  /** PostgreSQL for the BFF's state (several instances may share it); absent: SQLite in DATA_DIR. */
  DATABASE_URL: z.optional(
    z.url({
      protocol: /^postgres(ql)?$/,
      error:
        'DATABASE_URL must be a PostgreSQL URL, like postgres://viewer_admin@db.clinic.org:5432/viewer_admin.',
    }),
  ),
  /** Connections each instance keeps to PostgreSQL at most. */
  DATABASE_POOL_SIZE: z._default(wholeNumber('DATABASE_POOL_SIZE', 1, 200), 10),
  UPSTREAM_TIMEOUT_MS: z._default(wholeNumber('UPSTREAM_TIMEOUT_MS', 100, 600_000), 15_000),
  LOG_LEVEL: z._default(z.enum(LOG_LEVELS, `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}.`), 'info'),
  /** How long an Idempotency-Key is remembered (and a retried change answered from the record). */
  IDEMPOTENCY_TTL_HOURS: z._default(wholeNumber('IDEMPOTENCY_TTL_HOURS', 1, 24 * 30), 24),
  /** Requests at Avara at once; more wait their turn (at most UPSTREAM_QUEUE_TIMEOUT_MS, then 503). */
  UPSTREAM_MAX_CONCURRENT: z._default(wholeNumber('UPSTREAM_MAX_CONCURRENT', 1, 256), 8),
  UPSTREAM_QUEUE_TIMEOUT_MS: z._default(wholeNumber('UPSTREAM_QUEUE_TIMEOUT_MS', 0, 120_000), 5_000),
  /** Consecutive upstream failures that open the circuit breaker, and how long it then fails fast. */
  UPSTREAM_BREAKER_FAILURES: z._default(wholeNumber('UPSTREAM_BREAKER_FAILURES', 1, 1_000), 5),
  UPSTREAM_BREAKER_OPEN_MS: z._default(wholeNumber('UPSTREAM_BREAKER_OPEN_MS', 100, 600_000), 10_000),
  /** On SIGTERM/SIGINT, how long requests in flight may take to finish before they are cut. */
  SHUTDOWN_GRACE_MS: z._default(wholeNumber('SHUTDOWN_GRACE_MS', 0, 600_000), 10_000),
  /** The first operator, created when the database has none (see README "First sign-in"). */
  ADMIN_EMAIL: z.optional(EmailSchema),
  ADMIN_PASSWORD: z.optional(NewPasswordSchema),
  /** Requests each operator may make to /api per minute (429 beyond): a runaway script, not a person, meets it. */
  OPERATOR_REQUESTS_PER_MINUTE: z._default(wholeNumber('OPERATOR_REQUESTS_PER_MINUTE', 10, 1_000_000), 600),
  SESSION_IDLE_MINUTES: z._default(wholeNumber('SESSION_IDLE_MINUTES', 1, 24 * 60), 30),
  SESSION_MAX_HOURS: z._default(wholeNumber('SESSION_MAX_HOURS', 1, 7 * 24), 8),
  /** The address browsers use, e.g. https://viewer-admin.clinic.org; other Host values are refused with 421. */
  PUBLIC_ORIGIN: z.optional(
    z.pipe(
      z.url({
        protocol: /^https?$/,
        error: 'PUBLIC_ORIGIN must be an http:// or https:// address, like https://viewer-admin.clinic.org.',
      }),
      z.transform((value, ctx) => {
        const url = new URL(value);
        if (
          url.username !== '' ||
          url.password !== '' ||
          url.pathname !== '/' ||
          url.search !== '' ||
          url.hash !== ''
        ) {
          ctx.issues.push({
            code: 'custom',
            message:
              'PUBLIC_ORIGIN must be only the scheme, host and port people open, like https://viewer-admin.clinic.org (no path).',
            input: value,
          });
          return z.NEVER;
        }
        return url.origin;
      }),
    ),
  ),
  /** Sandbox mode only: seed this many people (demo clinic included) on first start, to try the directory at scale. */
  SANDBOX_SEED_PEOPLE: z.optional(wholeNumber('SANDBOX_SEED_PEOPLE', 1, 100_000)),
  /** How often the directory is refreshed from Avara in full (it also refreshes on start and after every change). */
  DIRECTORY_REFRESH_MINUTES: z._default(wholeNumber('DIRECTORY_REFRESH_MINUTES', 1, 24 * 60), 10),
  TLS_CERT_FILE: z.optional(z.string()),
  TLS_KEY_FILE: z.optional(z.string()),
  TRUST_PROXY: z._default(
    z.pipe(
      z.string(),
      z.transform((value, ctx) => {
        try {
          return parseTrustProxy(value);
        } catch (error) {
          if (!(error instanceof TrustProxyError)) throw error;
          ctx.issues.push({ code: 'custom', message: error.message, input: value });
          return z.NEVER;
        }
      }),
    ),
    [],
  ),
  /** Single sign-on (OpenID Connect): checked together in auth/sso-settings.ts; all absent means passwords only. */
  OIDC_ISSUER: z.optional(z.string()),
  OIDC_CLIENT_ID: z.optional(z.string()),
  OIDC_CLIENT_SECRET: z.optional(z.string()),
  OIDC_CLIENT_SECRET_FILE: z.optional(z.string()),
  OIDC_SCOPES: z.optional(z.string()),
  OIDC_PROVIDER_NAME: z.optional(z.string()),
  OIDC_ALLOWED_DOMAINS: z.optional(z.string()),
  OIDC_ALLOWED_GROUPS: z.optional(z.string()),
  OIDC_GROUPS_CLAIM: z.optional(z.string()),
  OIDC_ROLE_CLAIM: z.optional(z.string()),
  OIDC_ROLE_MAP: z.optional(z.string()),
  LOCAL_SIGN_IN: z.optional(z.string()),
});

export type ServerConfig = z.output<typeof EnvSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(
      `Viewer Admin cannot start, the configuration is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}

/** Parse the process environment (or any record of strings). Throws ConfigError naming each bad variable. */
export function parseConfig(env: Readonly<Record<string, string | undefined>>): ServerConfig {
  const input: Record<string, string> = {};
  for (const name of Object.keys(EnvSchema.shape)) {
    const value = env[name]?.trim();
    if (value !== undefined && value !== '') input[name] = value;
  }
  const result = EnvSchema.safeParse(input);
  if (!result.success) {
    // Only our own messages and the variable's name: zod messages never include the input, but be explicit.
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const name = issue.path.map(String).join('.');
        return issue.message.includes(name) ? issue.message : `${name}: ${issue.message}`;
      }),
    );
  }
  const problems = [...transportProblems(result.data), ...storageProblems(result.data)];
  if (problems.length > 0) throw new ConfigError(problems);
  const sso = parseSsoSettings(result.data);
  if (sso.problems.length > 0) throw new ConfigError(sso.problems);
  return result.data;
}

/** How to name a DATABASE_URL in a log line: host, port and database, never the user or password. */
export function databaseLabel(url: string): string {
  const parsed = new URL(url);
  return `${parsed.host}${parsed.pathname}`;
}

/** Only where the state is: DATA_DIR and DATABASE_URL (for the operator command-line tool, which serves nothing). */
export function parseStorage(env: Readonly<Record<string, string | undefined>>): {
  dataDir: string;
  databaseUrl: string | undefined;
} {
  const dataDir = EnvSchema.shape.DATA_DIR.safeParse(env.DATA_DIR?.trim() || undefined);
  if (!dataDir.success) throw new ConfigError(['DATA_DIR must name a directory.']);
  const databaseUrl = EnvSchema.shape.DATABASE_URL.safeParse(env.DATABASE_URL?.trim() || undefined);
  if (!databaseUrl.success) throw new ConfigError(databaseUrl.error.issues.map((issue) => issue.message));
  return { dataDir: dataDir.data, databaseUrl: databaseUrl.data };
}

/** localhost, 127.0.0.0/8 and ::1: the only places a browser accepts a Secure cookie over plain HTTP. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1' || bare === '0:0:0:0:0:0:0:1') return true;
  return isIPv4(bare) && bare.startsWith('127.');
}

/**
 * The session cookie is Secure (and __Host-), so browsers only keep it over HTTPS, or over plain HTTP on localhost.
 * Listening elsewhere over plain HTTP would mean nobody could sign in (or, worse, a cookie sent in clear), so
 * refuse to start and say what to set.
 */
/**
 * A shared database means instances that share one Avara: an instance without AVARA_API_KEY would start a sandbox of
 * its own, and behind a balancer half the clinic's invites would go to it.
 */
function storageProblems(config: ServerConfig): string[] {
  if (config.DATABASE_URL === undefined || config.AVARA_API_KEY !== undefined) return [];
  return [
    'DATABASE_URL is set but AVARA_API_KEY is not: instances sharing a database must talk to the same Avara, and ' +
      'without a key this one would start a sandbox of its own. Set AVARA_API_KEY, or unset DATABASE_URL to try the ' +
      'sandbox (its data stays in DATA_DIR).',
  ];
}

function transportProblems(config: ServerConfig): string[] {
  const problems: string[] = [];
  const cert = config.TLS_CERT_FILE !== undefined;
  const key = config.TLS_KEY_FILE !== undefined;
  if (cert !== key) {
    problems.push('Set both TLS_CERT_FILE and TLS_KEY_FILE to serve HTTPS (one of them is missing).');
  }
  if (!cert && !key && config.TRUST_PROXY.length === 0 && !isLoopbackHost(config.HOST)) {
    problems.push(
      `HOST=${config.HOST} would serve Viewer Admin over plain HTTP beyond this computer, where browsers refuse ` +
        'its secure sign-in cookie. Either set TLS_CERT_FILE and TLS_KEY_FILE (PEM files) to serve HTTPS, or put it ' +
        "behind a TLS-terminating proxy and set TRUST_PROXY to the proxy's address (for example TRUST_PROXY=10.0.0.5), " +
        'or set HOST=127.0.0.1 to use it on this computer only.',
    );
  }
  if (problems.length > 0) return problems;
  if (config.PUBLIC_ORIGIN !== undefined) {
    const origin = new URL(config.PUBLIC_ORIGIN);
    if (origin.protocol === 'http:' && !isLoopbackHost(origin.hostname)) {
      problems.push(
        `PUBLIC_ORIGIN=${config.PUBLIC_ORIGIN} is plain HTTP beyond this computer, where browsers refuse Viewer Admin's ` +
          'secure sign-in cookie: use the https:// address people open.',
      );
    }
  } else if (config.TRUST_PROXY.length > 0 || (!isLoopbackHost(config.HOST) && isWildcardHost(config.HOST))) {
    problems.push(
      'Set PUBLIC_ORIGIN to the address people open Viewer Admin at (for example ' +
        'PUBLIC_ORIGIN=https://viewer-admin.clinic.org): behind a proxy, or listening on every interface, the server ' +
        'cannot tell it, and it answers no other address.',
    );
  }
  return problems;
}

function isWildcardHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === '0.0.0.0' || bare === '::' || bare === '0:0:0:0:0:0:0:0';
}

/**
 * The origins the server answers for (plugins/host-check.ts): PUBLIC_ORIGIN; else, serving HTTPS itself on a named
 * host, https://HOST:PORT; else undefined: loopback only (localhost, 127.0.0.1, [::1] on the port it listens on).
 */
export function publicOriginsOf(config: ServerConfig): string[] | undefined {
  if (config.PUBLIC_ORIGIN !== undefined) return [config.PUBLIC_ORIGIN];
  if (isLoopbackHost(config.HOST)) return undefined;
  const host = config.HOST.includes(':') && !config.HOST.startsWith('[') ? `[${config.HOST}]` : config.HOST;
  return [new URL(`https://${host}:${config.PORT}`).origin];
}
