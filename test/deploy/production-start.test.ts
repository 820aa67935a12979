// The production start as it ships: `npm run build` in a temporary copy of the sources (so it never races the e2e
// project's build of dist/web/), `npm pack`, `npm install --omit=dev` of the tarball in another temporary directory
// (better-sqlite3 compiled there by its install script, as on CI), then `node node_modules/viewer-admin/dist/server/
// main.js` with no tsx, Vite or TypeScript installed. Slow by nature: the build, then compiling SQLite (4 to 5 minutes
// on this shared 2-core machine, nearly all of it in beforeAll).
import { execFile, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { UserPageSchema } from '../../src/contract/users.ts';
import { http } from '../support/http.ts';
import { TEST_OPERATOR, signIn } from '../support/session.ts';

const REPO = resolve(import.meta.dirname, '../..');
/** What `npm run build` reads. */
const BUILD_INPUTS = [
  'src',
  'public',
  'index.html',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.server.json',
  'vite.config.ts',
];
/** Tools that must not be needed, nor installed, to run the build. */
const DEV_TOOLS = ['tsx', 'vite', 'typescript', 'vitest', 'esbuild', 'rolldown', '@vitejs/plugin-react'];
const SETUP_TIMEOUT_MS = 15 * 60_000;

const PackSchema = z.array(
  z.object({ filename: z.string(), files: z.array(z.object({ path: z.string() })) }),
);

const run = promisify(execFile);

/** The environment for npm and the server: this one, without what an enclosing `npm test` or Vitest put in it. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(npm_|vitest)/i.test(name)),
  );
  return { ...env, NODE_ENV: 'production', ...extra };
}

async function npm(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await run('npm', args, {
    cwd,
    env: cleanEnv(),
    maxBuffer: 64 * 1024 * 1024,
    timeout: SETUP_TIMEOUT_MS,
  });
  return stdout;
}

/** Every package name under node_modules, nested ones included (scoped as @scope/name). */
function installedPackages(nodeModules: string): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir)) {
      if (entry.startsWith('.')) continue;
      const scoped = entry.startsWith('@');
      for (const name of scoped ? readdirSync(join(dir, entry)).map((n) => `${entry}/${n}`) : [entry]) {
        names.add(name);
        walk(join(dir, name, 'node_modules'));
      }
    }
  };
  walk(nodeModules);
  return names;
}

interface Started {
  url: string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

let work: string;
let installDir: string;
let packedFiles: string[];
const running = new Set<Started>();

const mainJs = () => join(installDir, 'node_modules/viewer-admin/dist/server/main.js');
const serverEnv = (dataDir: string) =>
  cleanEnv({
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    ADMIN_EMAIL: TEST_OPERATOR.email,
    ADMIN_PASSWORD: TEST_OPERATOR.password,
  });

/** `node …/dist/server/main.js` in the install directory; resolves once it prints its ready line. */
function startInstalled(dataDir: string): Promise<Started> {
  const child = spawn(process.execPath, [mainJs()], {
    cwd: installDir,
    env: serverEnv(dataDir),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`It did not start:\n${output}`)), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const url = /Viewer Admin is ready at (\S+)/.exec(output)?.[1];
      if (url === undefined) return;
      clearTimeout(timer);
      const started: Started = {
        url,
        stop: async (signal = 'SIGKILL') => {
          running.delete(started);
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      };
      running.add(started);
      ready(started);
    });
    child.once('exit', () => {
      clearTimeout(timer);
      fail(new Error(`It exited before it was ready:\n${output}`));
    });
  });
}

/** Run node with `args` in the install directory until it exits (a start that is refused). */
async function runToExit(
  args: string[],
  dataDir: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, args, {
    cwd: installDir,
    env: serverEnv(dataDir),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.once('close', done));
  return { code, stdout, stderr };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'viewer-admin-pack-'));
  const source = join(work, 'source');
  for (const input of BUILD_INPUTS) cpSync(join(REPO, input), join(source, input), { recursive: true });
  symlinkSync(join(REPO, 'node_modules'), join(source, 'node_modules'), 'dir');
  await npm(source, ['run', 'build']);

  const packDir = join(work, 'pack');
  mkdirSync(packDir);
  const [packed] = PackSchema.parse(
    JSON.parse(await npm(source, ['pack', '--json', '--pack-destination', packDir])),
  );
  if (!packed) throw new Error('npm pack made no tarball.');
  packedFiles = packed.files.map((file) => file.path);

  installDir = join(work, 'install');
  mkdirSync(installDir);
  // As a deployment's own package.json would: better-sqlite3's install script (prebuilt binary, else compile) runs.
  writeFileSync(
    join(installDir, 'package.json'),
    JSON.stringify({
      name: 'viewer-admin-deployment',
      private: true,
      allowScripts: { 'better-sqlite3': true },
    }),
  );
  await npm(installDir, [
    'install',
    '--omit=dev',
    '--no-audit',
    '--no-fund',
    '--prefer-offline',
    join(packDir, packed.filename),
  ]);
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  for (const started of running) await started.stop();
  if (!work) return;
  // The link first, on its own: the repository's node_modules must never be walked into.
  rmSync(join(work, 'source', 'node_modules'), { force: true });
  rmSync(work, { recursive: true, force: true });
}, 120_000);

describe('npm pack', () => {
  it('holds the server and the web app as built, and no sources', () => {
    expect(packedFiles).toEqual(
      expect.arrayContaining([
        'package.json',
        'dist/server/main.js',
        'dist/server/server/operator-cli.js',
        'dist/web/index.html',
      ]),
    );
    const elsewhere = packedFiles.filter(
      (path) => !/^dist\/(server|web)\//.test(path) && !['package.json', 'README.md'].includes(path),
    );
    expect(elsewhere).toEqual([]);
    expect(packedFiles.filter((path) => /\.tsx?$/.test(path))).toEqual([]);
  });
});

describe('installed with --omit=dev', () => {
  it('has no tsx, Vite or TypeScript, and better-sqlite3 built', () => {
    const installed = installedPackages(join(installDir, 'node_modules'));
    expect(installed.has('viewer-admin')).toBe(true);
    expect(DEV_TOOLS.filter((tool) => installed.has(tool))).toEqual([]);
    expect(
      existsSync(join(installDir, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node')),
    ).toBe(true);
  });

  it('starts with node dist/server/main.js: health, readiness, the web app, the API over the sandbox', async () => {
    const dataDir = mkdtempSync(join(work, 'data-'));
    const server = await startInstalled(dataDir);

    const health = await http(server.url, 'GET', '/healthz');
    expect(health.status).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });
    const ready = await http(server.url, 'GET', '/readyz');
    expect(ready.status, ready.text).toBe(200);
    expect(ready.json()).toEqual({
      status: 'ok',
      checks: { database: { status: 'ok' }, upstream: { status: 'ok', breaker: 'closed' } },
    });

    const page = await http(server.url, 'GET', '/', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const built = readFileSync(join(installDir, 'node_modules/viewer-admin/dist/web/index.html'), 'utf8');
    const entry = /<script type="module"[^>]* src="(\/assets\/[^"]+\.js)"/.exec(built)?.[1];
    expect(entry).toBeDefined();
    expect(page.text).toContain(`src="${entry}"`);
    const script = await http(server.url, 'GET', entry ?? '');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toMatch(/javascript/);

    const client = await signIn(server.url);
    const users = await client.get('/api/users');
    expect(users.status, users.text).toBe(200);
    expect(UserPageSchema.parse(users.json()).users.length).toBeGreaterThan(0);

    expect(await server.stop('SIGTERM')).toBe(0);
  });

  it('runs the operator command from the build (node dist/server/server/operator-cli.js)', async () => {
    const dataDir = mkdtempSync(join(work, 'data-'));
    const cli = join(installDir, 'node_modules/viewer-admin/dist/server/server/operator-cli.js');
    const options = { cwd: installDir, env: cleanEnv({ DATA_DIR: dataDir }) };
    const added = await run(
      process.execPath,
      [cli, 'add', 'nurse@clinic.test', '--name', 'Ward Nurse'],
      options,
    );
    expect(added.stdout).toContain('nurse@clinic.test');
    const listed = await run(process.execPath, [cli, 'list'], options);
    expect(listed.stdout).toMatch(/^nurse@clinic\.test\tWard Nurse\t/m);
  });

  it('refuses to start without the web app’s build, in one line naming npm run build, and touches nothing', async () => {
    const web = join(installDir, 'node_modules/viewer-admin/dist/web');
    const aside = `${web}-aside`;
    renameSync(web, aside);
    try {
      const dataDir = join(work, 'never-made');
      const refused = await runToExit([mainJs()], dataDir);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toBe('');
      expect(refused.stderr.trimEnd().split('\n')).toEqual([
        expect.stringMatching(
          /^Viewer Admin cannot start: the web app is not built .*Run `npm run build` first\.$/,
        ),
      ]);
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      renameSync(aside, web);
    }
  });

  it('refuses --dev from the build (Vite is not there), in one line', async () => {
    const dataDir = join(work, 'never-made-dev');
    const refused = await runToExit([mainJs(), '--dev'], dataDir);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe(
      'Viewer Admin: --dev runs from the source checkout (npm run dev), not from the build.\n',
    );
    expect(existsSync(dataDir)).toBe(false);
  });
});
