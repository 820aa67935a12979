import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startSandbox } from './sandbox/server.ts';
import type { RunningSandbox } from './sandbox/server.ts';
import { buildApp } from './server/app.ts';
import { parseSsoSettings } from './server/auth/sso-settings.ts';
import { ConfigError, databaseLabel, parseConfig, publicOriginsOf } from './server/config.ts';
import { startServer } from './server/start.ts';
import type { RunningServer, TlsFiles } from './server/start.ts';

/**
 * The composition root behind `npm start`, `npm run dev` and `npm run start:prod`: parse the environment once, start
 * the embedded sandbox when no key is set, start the BFF pointed at the upstream, and serve the SPA or Vite's dev
 * server. The only module that imports both server/ and sandbox/.
 *
 * It runs from the TypeScript source (src/main.ts through tsx: the SPA is built first when stale, `--dev` works) or
 * from the build (dist/server/main.js: it builds nothing, and refuses to start without the SPA's build). Only the
 * source path loads ./dev-tools.ts, the one module here that imports a dev dependency.
 */

/** Compiled by `npm run build` (dist/server/main.js) rather than run from src/main.ts. */
const FROM_BUILD = import.meta.url.endsWith('.js');
/** The package root: the parent of src/ from the source, of dist/ from the build. */
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), FROM_BUILD ? '../..' : '..');
/** Where `npm run build` puts the SPA (vite.config.ts build.outDir), under the package root. */
const SPA_BUILD_DIR = join('dist', 'web');

/** How long each part may take to stop, beyond SHUTDOWN_GRACE_MS for the requests in flight. */
const CLOSE_DEADLINE_MS = 5_000;

export interface StartOptions {
  /** Vite dev server with HMR in front of the BFF (`npm run dev`). */
  dev?: boolean;
  /**
   * Serve the built SPA from dist/web/ (from the source, building it when stale; from the build, refusing to start
   * without it). Default true; tests that only need the API turn it off.
   */
  spa?: boolean;
  /** The package root (dist/web/; from the source also index.html and vite.config.ts). */
  rootDir?: string;
  /** Where the one friendly startup line goes (console.log by default). */
  print?: (line: string) => void;
}

/** A reason not to start, said in one line (no stack trace): the build is missing, say. */
export class StartRefusedError extends Error {
  override readonly name = 'StartRefusedError';
}

export interface RunningViewerAdmin {
  url: string;
  mode: 'sandbox' | 'live';
  close(): Promise<void>;
}

export async function startViewerAdmin(
  env: Readonly<Record<string, string | undefined>>,
  options: StartOptions = {},
): Promise<RunningViewerAdmin> {
  const config = parseConfig(env);
  const rootDir = options.rootDir ?? PACKAGE_ROOT;
  if (FROM_BUILD && options.dev === true)
    throw new StartRefusedError(
      'Viewer Admin: --dev runs from the source checkout (npm run dev), not from the build.',
    );
  const serveSpa = options.spa !== false && options.dev !== true;
  if (FROM_BUILD && serveSpa) requireSpaBuild(rootDir);
  const print = options.print ?? ((line: string) => console.log(line));
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    // Front to back: the web server, then the BFF, then the sandbox. A part that will not stop in time (a dev server
    // busy optimising dependencies, say) does not keep the others, and the sandbox's database, from closing.
    const deadline = CLOSE_DEADLINE_MS + config.SHUTDOWN_GRACE_MS;
    for (const closer of closers.reverse().splice(0)) await withDeadline(closer(), deadline);
  };

  try {
    const live = config.AVARA_API_KEY !== undefined;
    let upstream: { baseUrl: string; apiKey: string };
    if (config.AVARA_API_KEY !== undefined) {
      upstream = { baseUrl: config.AVARA_BASE_URL, apiKey: config.AVARA_API_KEY };
    } else {
      // Sandbox mode: a fresh key each start, known only to this process and the sandbox it starts.
      const apiKey = `sk_sandbox_${randomBytes(24).toString('hex')}`;
      const sandbox: RunningSandbox = await startSandbox({
        dataDir: join(config.DATA_DIR, 'sandbox'),
        apiKey,
        host: '127.0.0.1',
        port: 0,
        seedPeople: config.SANDBOX_SEED_PEOPLE,
      });
      closers.push(() => sandbox.close());
      upstream = { baseUrl: sandbox.url, apiKey };
    }

    let staticDir: string | undefined;
    if (serveSpa) {
      staticDir = FROM_BUILD
        ? join(rootDir, SPA_BUILD_DIR)
        : await (await import('./dev-tools.ts')).ensureSpaBuilt(rootDir);
    }
    const tls = readTlsFiles(config.TLS_CERT_FILE, config.TLS_KEY_FILE);
    const app = await buildApp({
      mode: live ? 'live' : 'sandbox',
      upstream: {
        ...upstream,
        timeoutMs: config.UPSTREAM_TIMEOUT_MS,
        breaker: {
          failureThreshold: config.UPSTREAM_BREAKER_FAILURES,
          openMs: config.UPSTREAM_BREAKER_OPEN_MS,
        },
        concurrency: {
          maxConcurrent: config.UPSTREAM_MAX_CONCURRENT,
          queueTimeoutMs: config.UPSTREAM_QUEUE_TIMEOUT_MS,
        },
      },
      idempotency: { ttlMs: config.IDEMPOTENCY_TTL_HOURS * 3_600_000 },
      directory: { refreshMs: config.DIRECTORY_REFRESH_MINUTES * 60_000 },
      staticDir,
      logger: { level: config.LOG_LEVEL },
      dataDir: config.DATA_DIR,
      database:
        config.DATABASE_URL === undefined
          ? undefined
          : { url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE },
      admin: { email: config.ADMIN_EMAIL, password: config.ADMIN_PASSWORD },
      sso: parseSsoSettings(config).settings,
      security: {
        session: { idleMinutes: config.SESSION_IDLE_MINUTES, maxHours: config.SESSION_MAX_HOURS },
        trustProxy: config.TRUST_PROXY,
        apiLimit: { requests: config.OPERATOR_REQUESTS_PER_MINUTE, windowMs: 60_000 },
        publicOrigins: publicOriginsOf(config),
      },
      onFirstOperator: (first) => {
        if (first.generatedPassword === undefined) {
          print(
            `Created the first operator, ${first.operator.email}, with the password from ADMIN_PASSWORD.`,
          );
          return;
        }
        // Printed once, here, and kept only in a file readable by this user; it must be changed at first sign-in.
        print(
          [
            'Created the first operator account. Sign in with:',
            `  email:    ${first.operator.email}`,
            `  password: ${first.generatedPassword}`,
            `(also in ${first.passwordFile ?? 'DATA_DIR/initial-admin-password'}; you choose a new password at first sign-in)`,
          ].join('\n'),
        );
      },
    });
    closers.push(() => app.close());

    let url: string;
    if (options.dev === true) {
      const bff: RunningServer = await startServer(app, {
        host: '127.0.0.1',
        port: 0,
        graceMs: config.SHUTDOWN_GRACE_MS,
      });
      closers.push(() => bff.close());
      const { startViteDevServer } = await import('./dev-tools.ts');
      const vite = await startViteDevServer({
        rootDir,
        host: config.HOST,
        port: config.PORT,
        bffUrl: bff.url,
      });
      closers.push(() => vite.close());
      url = vite.url;
    } else {
      const server = await startServer(app, {
        host: config.HOST,
        port: config.PORT,
        tls,
        graceMs: config.SHUTDOWN_GRACE_MS,
      });
      closers.push(() => server.close());
      url = server.url;
    }

    const postgres =
      config.DATABASE_URL === undefined
        ? ''
        : `; state in PostgreSQL at ${databaseLabel(config.DATABASE_URL)}`;
    const where = live
      ? `live mode: talking to ${new URL(config.AVARA_BASE_URL).origin}${postgres}`
      : `sandbox mode: data in ${config.DATA_DIR}${postgres}`;
    print(`Viewer Admin is ready at ${url} (${where})`);
    return { url, mode: live ? 'live' : 'sandbox', close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The PEM files named by TLS_CERT_FILE / TLS_KEY_FILE, read once at start (a clear error when unreadable). */
function readTlsFiles(certFile: string | undefined, keyFile: string | undefined): TlsFiles | undefined {
  if (certFile === undefined || keyFile === undefined) return undefined;
  const read = (name: string, file: string) => {
    try {
      return readFileSync(file);
    } catch {
      throw new ConfigError([`${name}: cannot read the file ${file}.`]);
    }
  };
  return { cert: read('TLS_CERT_FILE', certFile), key: read('TLS_KEY_FILE', keyFile) };
}

/** From the build the SPA is never built at start: without it there is nothing to serve people, so do not start. */
function requireSpaBuild(rootDir: string): void {
  const index = join(rootDir, SPA_BUILD_DIR, 'index.html');
  if (!existsSync(index))
    throw new StartRefusedError(
      `Viewer Admin cannot start: the web app is not built (${index} is missing). Run \`npm run build\` first.`,
    );
}

function withDeadline(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

async function main(): Promise<void> {
  const dev = process.argv.includes('--dev');
  let running: RunningViewerAdmin;
  try {
    running = await startViewerAdmin(process.env, { dev });
  } catch (error) {
    const oneLine = error instanceof ConfigError || error instanceof StartRefusedError;
    console.error(oneLine ? error.message : error);
    process.exit(1);
  }
  handleShutdownSignals(running);
}

/**
 * Graceful shutdown on SIGTERM (a service manager) and SIGINT (Ctrl-C): stop accepting connections, let the requests
 * in flight finish (at most SHUTDOWN_GRACE_MS, then they are cut), close the databases, exit 0. A second signal
 * exits at once with 1.
 */
export function handleShutdownSignals(running: RunningViewerAdmin): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1); // a second Ctrl-C: do not wait
    stopping = true;
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`Viewer Admin could not stop cleanly after ${signal}:`, error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) void main();
