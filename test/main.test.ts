import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ModeSchema } from '../src/contract/mode.ts';
import { UserPageSchema } from '../src/contract/users.ts';
import { ensureSpaBuilt, startViewerAdmin } from '../src/main.ts';
import type { RunningViewerAdmin } from '../src/main.ts';
import { startSandbox } from '../src/sandbox/server.ts';
import type { RunningSandbox } from '../src/sandbox/server.ts';
import { ConfigError } from '../src/server/config.ts';
import { http } from './support/http.ts';
import { newPerson } from './support/people.ts';

/** The composition root: sandbox mode with no key, live mode with one, and the SPA build check. */

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse().splice(0)) await step();
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function start(env: Record<string, string>, lines: string[] = []): Promise<RunningViewerAdmin> {
  const running = await startViewerAdmin(
    { HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent', ...env },
    { spa: false, print: (line) => lines.push(line) },
  );
  cleanup.push(() => running.close());
  return running;
}

describe('startViewerAdmin', () => {
  it('without a key: starts the embedded sandbox and serves the seeded clinic', async () => {
    const dataDir = tempDir('viewer-admin-main-');
    const lines: string[] = [];
    const running = await start({ DATA_DIR: dataDir, AVARA_API_KEY: '  ' }, lines);
    expect(running.mode).toBe('sandbox');
    expect(lines).toEqual([`Viewer Admin is ready at ${running.url} (sandbox mode: data in ${dataDir})`]);
    expect(ModeSchema.parse((await http(running.url, 'GET', '/api/mode')).json()).mode).toBe('sandbox');
    const page = UserPageSchema.parse((await http(running.url, 'GET', '/api/users?limit=100')).json());
    expect(page.users.length).toBeGreaterThanOrEqual(20);
    expect(page.users.some((u) => u.level === 'owner')).toBe(true);
    expect(existsSync(join(dataDir, 'sandbox'))).toBe(true);
  });

  it('keeps sandbox data across restarts of the same DATA_DIR', async () => {
    const dataDir = tempDir('viewer-admin-main-');
    const person = newPerson();
    const first = await start({ DATA_DIR: dataDir });
    expect((await http(first.url, 'POST', '/api/users', { body: person })).status).toBe(201);
    await first.close();
    const second = await start({ DATA_DIR: dataDir });
    const found = UserPageSchema.parse(
      (await http(second.url, 'GET', `/api/users?email=${encodeURIComponent(person.email)}`)).json(),
    );
    expect(found.users.map((u) => u.email)).toEqual([person.email]);
  });

  it('with a key: live mode, sending exactly that key to AVARA_BASE_URL, and never printing it', async () => {
    const key = 'sk_live_main_test_0123456789abcdef';
    const sandbox: RunningSandbox = await startSandbox({
      dataDir: tempDir('viewer-admin-live-upstream-'),
      apiKey: key,
      faultInjection: true,
    });
    cleanup.push(() => sandbox.close());
    const lines: string[] = [];
    const running = await start({ AVARA_API_KEY: key, AVARA_BASE_URL: sandbox.url }, lines);
    expect(running.mode).toBe('live');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('live mode');
    expect(lines[0]).not.toContain(key);
    expect((await http(running.url, 'GET', '/api/mode')).json()).toEqual({ mode: 'live' });
    const answer = await http(running.url, 'GET', '/api/users?limit=2', { headers: { cookie: 'session=x' } });
    expect(answer.status).toBe(200);
    expect(answer.text).not.toContain(key);

    const log = await fetch(`${sandbox.url}/__sandbox/requests`, {
      headers: { authorization: `Bearer ${key}` },
    });
    const body: unknown = await log.json();
    expect(body).toMatchObject({
      requests: [{ method: 'GET', path: '/v1/viewer/users', headers: { authorization: `Bearer ${key}` } }],
    });
    expect(JSON.stringify(body)).not.toContain('session=x');
  });

  it('refuses bad configuration before starting anything', async () => {
    await expect(
      startViewerAdmin({ PORT: 'eighty' }, { spa: false, print: () => {} }),
    ).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('ensureSpaBuilt', () => {
  it('serves an up-to-date dist/ without rebuilding', async () => {
    const root = tempDir('viewer-admin-root-');
    mkdirSync(join(root, 'src', 'web'), { recursive: true });
    mkdirSync(join(root, 'dist'));
    writeFileSync(join(root, 'index.html'), '<!doctype html>');
    writeFileSync(join(root, 'src', 'web', 'main.tsx'), 'export {};');
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(root, 'index.html'), past, past);
    utimesSync(join(root, 'src', 'web', 'main.tsx'), past, past);
    writeFileSync(join(root, 'dist', 'index.html'), 'built');
    expect(await ensureSpaBuilt(root, () => {})).toBe(join(root, 'dist'));
  });

  it('serves the API only when there is nothing to build from and nothing built', async () => {
    const root = tempDir('viewer-admin-root-');
    const warnings: string[] = [];
    expect(await ensureSpaBuilt(root, (line) => warnings.push(line))).toBeUndefined();
    expect(warnings).toEqual([
      'Viewer Admin: no index.html to build the web app from; serving the API only.',
    ]);
  });
});
