import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { freePort } from './support/free-port.ts';
import { writeSelfSignedCertificate } from './support/tls.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ModeSchema } from '../src/contract/mode.ts';
import { UserPageSchema } from '../src/contract/users.ts';
import { ensureSpaBuilt } from '../src/dev-tools.ts';
import { startViewerAdmin } from '../src/main.ts';
import type { RunningViewerAdmin } from '../src/main.ts';
import { RequestLogSchema } from '../src/sandbox/fault.ts';
import { startSandbox } from '../src/sandbox/server.ts';
import type { RunningSandbox } from '../src/sandbox/server.ts';
import { ConfigError } from '../src/server/config.ts';
import { SessionSchema } from '../src/contract/session.ts';
import { expectProblem, http } from './support/http.ts';
import { newPerson } from './support/people.ts';
import { CSRF_HEADERS, TEST_OPERATOR, clientFor, sessionCookieOf, signIn } from './support/session.ts';

/**
 * The composition root: sandbox mode with no key, live mode with one, the first operator, HTTPS, and the SPA build
 * check. Passwords here are hashed at the real (OWASP) cost, as `npm start` does: a few hundred ms each.
 */
const ADMIN = { ADMIN_EMAIL: TEST_OPERATOR.email, ADMIN_PASSWORD: TEST_OPERATOR.password };

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
    const running = await start({ DATA_DIR: dataDir, AVARA_API_KEY: '  ', ...ADMIN }, lines);
    expect(running.mode).toBe('sandbox');
    expect(lines).toEqual([
      `Created the first operator, ${TEST_OPERATOR.email}, with the password from ADMIN_PASSWORD.`,
      `Viewer Admin is ready at ${running.url} (sandbox mode: data in ${dataDir})`,
    ]);
    expect(lines.join('\n')).not.toContain(TEST_OPERATOR.password);
    const operator = await signIn(running.url);
    expect(ModeSchema.parse((await operator.get('/api/mode')).json()).mode).toBe('sandbox');
    const page = UserPageSchema.parse((await operator.get('/api/users?limit=100')).json());
    expect(page.users.length).toBeGreaterThanOrEqual(20);
    expect(page.users.some((u) => u.level === 'owner')).toBe(true);
    expect(existsSync(join(dataDir, 'sandbox'))).toBe(true);
  });

  it('keeps sandbox data across restarts of the same DATA_DIR', async () => {
    const dataDir = tempDir('viewer-admin-main-');
    const person = newPerson();
    const first = await start({ DATA_DIR: dataDir, ...ADMIN });
    const invited = await (
      await signIn(first.url)
    ).post('/api/users', person, {
      headers: { 'idempotency-key': 'main-restart-test' },
    });
    expect(invited.status, invited.text).toBe(201);
    await first.close();
    // The operators persist too: the same password signs in (ADMIN_PASSWORD only counts for the very first start).
    const second = await start({ DATA_DIR: dataDir, ADMIN_PASSWORD: 'a different password now' });
    const found = UserPageSchema.parse(
      (await (await signIn(second.url)).get(`/api/users?email=${encodeURIComponent(person.email)}`)).json(),
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
    const running = await start(
      { AVARA_API_KEY: key, AVARA_BASE_URL: sandbox.url, DATA_DIR: tempDir('viewer-admin-live-'), ...ADMIN },
      lines,
    );
    expect(running.mode).toBe('live');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('live mode');
    expect(lines.join('\n')).not.toContain(key);
    const operator = await signIn(running.url);
    expect((await operator.get('/api/mode')).json()).toEqual({ mode: 'live' });
    const answer = await operator.get('/api/users?limit=2', { headers: { cookie: 'session=x' } });
    expect(answer.status).toBe(200);
    expect(answer.text).not.toContain(key);

    const log = await fetch(`${sandbox.url}/__sandbox/requests`, {
      headers: { authorization: `Bearer ${key}` },
    });
    const body: unknown = await log.json();
    // The operator's list, and the directory's refresh on start (pages of users, then invitations): each with that key.
    const { requests } = RequestLogSchema.parse(body);
    expect(requests.some((r) => r.path === '/v1/viewer/users' && r.query === 'limit=2')).toBe(true);
    for (const r of requests) {
      expect(['/v1/viewer/users', '/v1/viewer/users/invitations']).toContain(r.path);
      expect(r.headers.authorization).toBe(`Bearer ${key}`);
    }
    expect(JSON.stringify(body)).not.toContain('session=x');
    expect(JSON.stringify(body)).not.toContain(operator.sessionId);
  });

  it('without ADMIN_PASSWORD: prints a generated first password once, keeps it in a 0600 file, and requires a change', async () => {
    const dataDir = tempDir('viewer-admin-first-');
    const lines: string[] = [];
    const running = await start({ DATA_DIR: dataDir }, lines);
    const password = /password: (\S+)/.exec(lines.join('\n'))?.[1] ?? '';
    const email = /email: +(\S+)/.exec(lines.join('\n'))?.[1] ?? '';
    expect(password).toMatch(/^[A-Za-z0-9]{4}(-[A-Za-z0-9]{4}){5}$/);
    const file = join(dataDir, 'initial-admin-password');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain(password);
    expect(lines.at(-1)).toMatch(/^Viewer Admin is ready at /);

    const first = await signIn(running.url, { email, password });
    expect(first.session.mustChangePassword).toBe(true);
    expectProblem(await first.get('/api/users?limit=1'), 403, 'password-change-required');
    const changed = await first.post('/api/session/password', {
      currentPassword: password,
      newPassword: 'the administrator chose this one',
    });
    expect(changed.status, changed.text).toBe(200);
    expect(SessionSchema.parse(changed.json()).mustChangePassword).toBe(false);
    const cookie = sessionCookieOf(changed) ?? '';
    expect((await clientFor(running.url, cookie, first.session).get('/api/users?limit=1')).status).toBe(200);
    expect(existsSync(file)).toBe(false);
  });

  it('refuses plain HTTP beyond this computer, saying what to set', async () => {
    const error: unknown = await startViewerAdmin(
      { HOST: '0.0.0.0', PORT: '0' },
      { spa: false, print: () => {} },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toMatch(/TLS_CERT_FILE and TLS_KEY_FILE.*TRUST_PROXY/s);
  });

  it('serves HTTPS when TLS_CERT_FILE and TLS_KEY_FILE are set', async () => {
    const dir = tempDir('viewer-admin-tls-');
    const { cert, key } = writeSelfSignedCertificate(dir);
    const running = await start({
      DATA_DIR: join(dir, 'data'),
      TLS_CERT_FILE: cert,
      TLS_KEY_FILE: key,
      ...ADMIN,
    });
    expect(running.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const { Agent, request } = await import('undici');
    const dispatcher = new Agent({ connect: { ca: readFileSync(cert) } });
    cleanup.push(() => dispatcher.close());
    const signedIn = await request(`${running.url}/api/session`, {
      method: 'POST',
      dispatcher,
      headers: { ...CSRF_HEADERS, 'content-type': 'application/json', origin: running.url },
      body: JSON.stringify(TEST_OPERATOR),
    });
    expect(signedIn.statusCode).toBe(200);
    await signedIn.body.text();
    const [setCookie, deviceCookie, ...more] = [signedIn.headers['set-cookie'] ?? []].flat();
    expect(setCookie).toMatch(
      /^__Host-va_session=[A-Za-z0-9_-]{43}; Path=\/; Secure; HttpOnly; SameSite=Strict$/,
    );
    expect(deviceCookie).toMatch(
      /^__Host-va_device=v1\.[^;]+; Path=\/; Secure; HttpOnly; SameSite=Strict; Max-Age=\d+$/,
    );
    expect(more).toEqual([]);
    const health = await request(`${running.url}/healthz`, { dispatcher });
    expect(health.statusCode).toBe(200);
    expect(health.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    await health.body.text();
  });

  it('refuses bad configuration before starting anything', async () => {
    await expect(
      startViewerAdmin({ PORT: 'eighty' }, { spa: false, print: () => {} }),
    ).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('ensureSpaBuilt', () => {
  it('serves an up-to-date dist/web/ without rebuilding', async () => {
    const root = tempDir('viewer-admin-root-');
    mkdirSync(join(root, 'src', 'web'), { recursive: true });
    mkdirSync(join(root, 'dist', 'web'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html>');
    writeFileSync(join(root, 'src', 'web', 'main.tsx'), 'export {};');
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(root, 'index.html'), past, past);
    utimesSync(join(root, 'src', 'web', 'main.tsx'), past, past);
    writeFileSync(join(root, 'dist', 'web', 'index.html'), 'built');
    expect(await ensureSpaBuilt(root, () => {})).toBe(join(root, 'dist', 'web'));
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

describe('npm run dev', () => {
  it('signs in through Vite’s dev server (its Origin is the page’s own), and still refuses other sites', async () => {
    const port = await freePort();
    const running = await startViewerAdmin(
      {
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'silent',
        DATA_DIR: tempDir('viewer-admin-dev-'),
        ...ADMIN,
      },
      { dev: true, print: () => undefined },
    );
    cleanup.push(() => running.close());
    expect(running.url).toBe(`http://127.0.0.1:${port}`);
    for (const origin of [running.url, `http://localhost:${port}`]) {
      const signedIn = await http(running.url, 'POST', '/api/session', {
        body: TEST_OPERATOR,
        headers: { ...CSRF_HEADERS, origin },
      });
      expect(signedIn.status, signedIn.text).toBe(200);
      const client = clientFor(
        running.url,
        sessionCookieOf(signedIn) ?? '',
        SessionSchema.parse(signedIn.json()),
      );
      expect(ModeSchema.parse((await client.get('/api/mode', { headers: { origin } })).json())).toEqual({
        mode: 'sandbox',
      });
    }
    const foreign = await http(running.url, 'POST', '/api/session', {
      body: TEST_OPERATOR,
      headers: { ...CSRF_HEADERS, origin: 'https://evil.example' },
    });
    expectProblem(foreign, 403, 'forbidden');
  });
});
