import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyServerOptions } from 'fastify';
import { request } from 'undici';
import { RequestLogSchema } from '../../src/sandbox/fault.ts';
import type { FaultSpec, RequestLogEntry } from '../../src/sandbox/fault.ts';
import { startSandbox } from '../../src/sandbox/server.ts';
import { buildApp } from '../../src/server/app.ts';
import type { AppConfig } from '../../src/server/app.ts';
import { TEST_PASSWORD_COST, createPasswordHasher } from '../../src/server/auth/password.ts';
import type { SsoSettings } from '../../src/server/auth/sso-settings.ts';
import type { RetryPolicy } from '../../src/server/avara/retry.ts';
import { startServer } from '../../src/server/start.ts';
import { openSqliteStore } from '../../src/server/store/store.ts';
import type { Store } from '../../src/server/store/store.ts';
import type { HttpAnswer, HttpOptions } from './http.ts';
import { createLogCapture } from './logs.ts';
import type { LogCapture } from './logs.ts';
import { TEST_OPERATOR, signIn } from './session.ts';
import type { SignedInClient } from './session.ts';
import type { Dispatcher } from 'undici';

/**
 * A real sandbox and a real BFF pointed at it, both on 127.0.0.1 port 0, for server and end-to-end tests.
 * close() stops both and removes the temporary data directory.
 */

export type { FaultSpec, RequestLogEntry };

export interface StackOptions {
  /** What the BFF says it is talking to (default sandbox; `live` for probes of a production-like server). */
  mode?: 'sandbox' | 'live';
  /** The sandbox's test surface (/__sandbox/faults, /__sandbox/requests). Default true. */
  faultInjection?: boolean;
  /** Seed the demo clinic on first start. Default true. */
  seed?: boolean;
  /** Serve this built SPA from the BFF (e.g. dist/web/). */
  staticDir?: string;
  /** The sandbox's key (default: random). */
  apiKey?: string;
  /** The key the BFF sends (default: the sandbox's key; set it to something else to test a rejected key). */
  bffApiKey?: string;
  /** The BFF's upstream deadline per attempt (default 5000 ms). */
  upstreamTimeoutMs?: number;
  /** The BFF's retry policy (default: a quick backoff, so tests stay fast; Retry-After is honoured as usual). */
  retry?: Partial<RetryPolicy>;
  logger?: FastifyServerOptions['logger'];
  /**
   * The first operator: `test-operator` (default) creates TEST_OPERATOR from ADMIN_EMAIL/ADMIN_PASSWORD and signs in
   * as them (`stack.api`); `generated` leaves the BFF to generate a password into DATA_DIR/initial-admin-password.
   * With `sso` (where the BFF creates no first operator) `test-operator` is put in the database before it starts,
   * and `none` leaves it empty.
   */
  admin?: 'test-operator' | 'generated' | 'none';
  /** Single sign-on settings (see support/oidc-provider.ts). */
  sso?: SsoSettings;
  /** Security settings of the BFF (sessions, limits, clock). The per-operator /api limit defaults to very high. */
  security?: AppConfig['security'];
  /** A store to use instead of the BFF's own SQLite file (e.g. one whose audit log fails). */
  store?: Store;
  /** Told about every route the BFF registers. */
  onRoute?: AppConfig['onRoute'];
  /** The BFF's circuit breaker (default: one that never opens, so fault tests stay independent). */
  breaker?: BreakerSettings;
  /** The BFF's limit on concurrent upstream requests (default: the production default). */
  concurrency?: ConcurrencySettings;
  /** The directory's refresh (default: only when asked, so other tests see no extra upstream requests). */
  directory?: AppConfig['directory'];
  /** The sandbox's SANDBOX_SEED_PEOPLE. */
  seedPeople?: number;
}

type BreakerSettings = NonNullable<AppConfig['upstream']['breaker']>;
type ConcurrencySettings = NonNullable<AppConfig['upstream']['concurrency']>;

/** Tests that are not about the breaker must not trip it for the tests after them. */
export const TEST_BREAKER: BreakerSettings = { failureThreshold: 1_000_000 };

export interface Stack {
  bffUrl: string;
  sandboxUrl: string;
  sandboxKey: string;
  dataDir: string;
  /** The BFF's own data directory (its database, the initial password file). */
  bffDataDir: string;
  /**
   * An HTTP call as the signed-in TEST_OPERATOR (session cookie and X-CSRF added), like `http(stack.bffUrl, …)`.
   * Only with `admin: 'test-operator'` (the default).
   */
  api(method: Dispatcher.HttpMethod, path: string, options?: HttpOptions): Promise<HttpAnswer>;
  /** The signed-in client behind `api` (its session, cookie and helpers). */
  client: SignedInClient;
  /** Sign in again (another session) as TEST_OPERATOR or someone else. */
  signIn(credentials?: { email: string; password: string }): Promise<SignedInClient>;
  /** Everything the BFF logged (at debug level); close() fails if a secret or e-mail address is in it. */
  logs: LogCapture;
  faults: { add(spec: FaultSpec | FaultSpec[]): Promise<void>; clear(): Promise<void> };
  upstreamRequests(): Promise<RequestLogEntry[]>;
  clearUpstreamRequests(): Promise<void>;
  close(): Promise<void>;
}

export const TEST_RETRY: Partial<RetryPolicy> = { baseDelayMs: 20, maxBackoffMs: 100 };

export interface BffOptions {
  upstreamUrl: string;
  apiKey: string;
  mode?: 'sandbox' | 'live';
  timeoutMs?: number | undefined;
  retry?: Partial<RetryPolicy> | undefined;
  staticDir?: string | undefined;
  logger?: FastifyServerOptions['logger'];
  logStream?: AppConfig['logStream'];
  /** The BFF's database directory (default: in memory). */
  dataDir?: string | undefined;
  /** Default: TEST_OPERATOR. `generated`: no ADMIN_PASSWORD, so the BFF generates the first password. */
  admin?: 'test-operator' | 'generated' | 'none' | undefined;
  sso?: SsoSettings | undefined;
  security?: AppConfig['security'];
  store?: Store | undefined;
  onRoute?: AppConfig['onRoute'];
  breaker?: BreakerSettings | undefined;
  concurrency?: ConcurrencySettings | undefined;
  directory?: AppConfig['directory'];
}

/** Far above anything a test does, so only the rate-limit tests meet the per-operator limit. */
const TEST_API_LIMIT = { requests: 10_000_000, windowMs: 60_000 };

/**
 * A BFF on 127.0.0.1:0 pointed at any upstream (a second one beside a stack's: wrong key, short deadline...). Its
 * first operator is TEST_OPERATOR, hashed at the cheap test cost; sign in with `signIn(url)` from support/session.ts.
 */
export async function startBff(options: BffOptions): Promise<{ url: string; close(): Promise<void> }> {
  let store = options.store;
  let ownStore: Store | undefined;
  if (options.sso && !store) {
    // With single sign-on the BFF creates no first operator: a password operator is put in the database first.
    ownStore = openSqliteStore(options.dataDir ?? ':memory:');
    store = ownStore;
    if ((options.admin ?? 'test-operator') === 'test-operator') {
      await ownStore.operators.create({
        email: TEST_OPERATOR.email,
        displayName: 'Administrator',
        role: 'administrator',
        passwordHash: await createPasswordHasher(TEST_PASSWORD_COST).hash(TEST_OPERATOR.password),
        mustChangePassword: false,
        createdAt: Date.now(),
      });
    }
  }
  const app = await buildApp({
    mode: options.mode ?? 'sandbox',
    upstream: {
      baseUrl: options.upstreamUrl,
      apiKey: options.apiKey,
      timeoutMs: options.timeoutMs ?? 5_000,
      retry: { ...TEST_RETRY, ...options.retry },
      breaker: options.breaker ?? TEST_BREAKER,
      concurrency: options.concurrency,
    },
    // Every /readyz asks Avara afresh, so tests see each change at once.
    readiness: { cacheMs: 0 },
    directory: options.directory,
    staticDir: options.staticDir,
    logger: options.logger ?? (options.logStream ? { level: 'debug' } : false),
    logStream: options.logStream,
    dataDir: options.dataDir ?? ':memory:',
    store,
    onRoute: options.onRoute,
    sso: options.sso,
    admin: options.admin === 'generated' || options.admin === 'none' ? undefined : { ...TEST_OPERATOR },
    security: { apiLimit: TEST_API_LIMIT, passwordCost: TEST_PASSWORD_COST, ...options.security },
  });
  const running = await startServer(app, { host: '127.0.0.1', port: 0 });
  if (!ownStore) return running;
  const closeStore = ownStore;
  return {
    ...running,
    url: running.url,
    close: async () => {
      await running.close();
      await closeStore.close();
    },
  };
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'viewer-admin-stack-'));
  const sandboxKey = options.apiKey ?? `sk_test_${randomBytes(16).toString('hex')}`;
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    try {
      for (const closer of closers.reverse().splice(0)) await closer();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  };
  try {
    const sandbox = await startSandbox({
      dataDir,
      apiKey: sandboxKey,
      host: '127.0.0.1',
      port: 0,
      faultInjection: options.faultInjection ?? true,
      seed: options.seed ?? true,
      seedPeople: options.seedPeople,
    });
    closers.push(() => sandbox.close());
    const bffDataDir = join(dataDir, 'bff');
    const logs = createLogCapture();
    const bff = await startBff({
      mode: options.mode,
      upstreamUrl: sandbox.url,
      apiKey: options.bffApiKey ?? sandboxKey,
      timeoutMs: options.upstreamTimeoutMs,
      retry: options.retry,
      staticDir: options.staticDir,
      logger: options.logger ?? { level: 'debug' },
      logStream: logs.stream,
      dataDir: bffDataDir,
      admin: options.admin,
      sso: options.sso,
      security: options.security,
      store: options.store,
      onRoute: options.onRoute,
      breaker: options.breaker,
      concurrency: options.concurrency,
      directory: options.directory,
    });
    closers.push(() => bff.close());
    const sessionIds: string[] = [];
    const signInAs = async (credentials?: { email: string; password: string }) => {
      const client = await signIn(bff.url, credentials);
      sessionIds.push(client.sessionId);
      return client;
    };
    // Last to run at close: nothing secret, and no e-mail address, was ever logged (across the whole suite).
    closers.unshift(async () => {
      logs.expectClean([sandboxKey, options.bffApiKey ?? '', TEST_OPERATOR.password, ...sessionIds]);
    });
    let client: SignedInClient | undefined;
    if (options.admin !== 'generated' && options.admin !== 'none') client = await signInAs();
    const signedIn = (): SignedInClient => {
      if (!client) throw new Error("This stack has no signed-in client (admin: 'generated').");
      return client;
    };

    const sandboxCall = async (method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) => {
      const response = await request(`${sandbox.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${sandboxKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.body.text();
      if (response.statusCode >= 300) {
        throw new Error(`Sandbox ${method} ${path} answered ${response.statusCode}: ${text}`);
      }
      if (text === '') return undefined;
      const value: unknown = JSON.parse(text);
      return value;
    };

    return {
      bffUrl: bff.url,
      sandboxUrl: sandbox.url,
      sandboxKey,
      dataDir,
      bffDataDir,
      api: (method, path, requestOptions) => signedIn().request(method, path, requestOptions),
      get client() {
        return signedIn();
      },
      signIn: signInAs,
      logs,
      faults: {
        add: async (spec) => {
          await sandboxCall('POST', '/__sandbox/faults', spec);
        },
        clear: async () => {
          await sandboxCall('DELETE', '/__sandbox/faults');
        },
      },
      upstreamRequests: async () =>
        RequestLogSchema.parse(await sandboxCall('GET', '/__sandbox/requests')).requests,
      clearUpstreamRequests: async () => {
        await sandboxCall('DELETE', '/__sandbox/requests');
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
