import { describe, expect, it } from 'vitest';
import { ConfigError, databaseLabel, parseConfig, publicOriginsOf } from '../../src/server/config.ts';

function configError(env: Record<string, string>): ConfigError {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('Expected a ConfigError');
}

describe('parseConfig', () => {
  it('uses the documented defaults for an empty environment (sandbox mode: no key)', () => {
    expect(parseConfig({})).toEqual({
      AVARA_API_KEY: undefined,
      AVARA_BASE_URL: 'https://api.avarasoftware.com',
      HOST: '127.0.0.1',
      PORT: 8080,
      DATA_DIR: './.data',
      DATABASE_URL: undefined,
      DATABASE_POOL_SIZE: 10,
      OPERATOR_REQUESTS_PER_MINUTE: 600,
      UPSTREAM_TIMEOUT_MS: 15_000,
      LOG_LEVEL: 'info',
      ADMIN_EMAIL: undefined,
      ADMIN_PASSWORD: undefined,
      SESSION_IDLE_MINUTES: 30,
      SESSION_MAX_HOURS: 8,
      PUBLIC_ORIGIN: undefined,
      TLS_CERT_FILE: undefined,
      TLS_KEY_FILE: undefined,
      TRUST_PROXY: [],
      IDEMPOTENCY_TTL_HOURS: 24,
      UPSTREAM_MAX_CONCURRENT: 8,
      UPSTREAM_QUEUE_TIMEOUT_MS: 5_000,
      UPSTREAM_BREAKER_FAILURES: 5,
      UPSTREAM_BREAKER_OPEN_MS: 10_000,
      SHUTDOWN_GRACE_MS: 10_000,
      DIRECTORY_REFRESH_MINUTES: 10,
    });
  });

  it('treats a blank or whitespace key (and any blank value) as absent', () => {
    expect(parseConfig({ AVARA_API_KEY: '' }).AVARA_API_KEY).toBeUndefined();
    expect(parseConfig({ AVARA_API_KEY: '   \n' }).AVARA_API_KEY).toBeUndefined();
    const blanks = parseConfig({ PORT: '', HOST: ' ', AVARA_BASE_URL: '', UPSTREAM_TIMEOUT_MS: '' });
    expect(blanks.PORT).toBe(8080);
    expect(blanks.HOST).toBe('127.0.0.1');
    expect(blanks.AVARA_BASE_URL).toBe('https://api.avarasoftware.com');
    expect(blanks.UPSTREAM_TIMEOUT_MS).toBe(15_000);
  });

  it('reads every variable, trimming a pasted key', () => {
    const config = parseConfig({
      AVARA_API_KEY: ' sk_live_abc123\n',
      AVARA_BASE_URL: 'http://127.0.0.1:9999/prefix',
      HOST: '0.0.0.0',
      PORT: '0',
      DATA_DIR: '/var/lib/viewer-admin',
      DATABASE_URL: 'postgresql://viewer_admin@db.clinic.org:5432/viewer_admin',
      DATABASE_POOL_SIZE: '20',
      OPERATOR_REQUESTS_PER_MINUTE: '1200',
      UPSTREAM_TIMEOUT_MS: '2500',
      LOG_LEVEL: 'debug',
      ADMIN_EMAIL: ' Boss@Clinic.org ',
      ADMIN_PASSWORD: 'a long admin password',
      SESSION_IDLE_MINUTES: '15',
      SESSION_MAX_HOURS: '4',
      PUBLIC_ORIGIN: 'https://Viewer-Admin.clinic.org:443/',
      TLS_CERT_FILE: '/etc/viewer-admin/cert.pem',
      TLS_KEY_FILE: '/etc/viewer-admin/key.pem',
      TRUST_PROXY: '10.0.0.5, 10.1.0.0/16',
      IDEMPOTENCY_TTL_HOURS: '48',
      UPSTREAM_MAX_CONCURRENT: '4',
      UPSTREAM_QUEUE_TIMEOUT_MS: '2000',
      UPSTREAM_BREAKER_FAILURES: '3',
      UPSTREAM_BREAKER_OPEN_MS: '30000',
      SHUTDOWN_GRACE_MS: '20000',
      DIRECTORY_REFRESH_MINUTES: '5',
      SANDBOX_SEED_PEOPLE: '10000',
      UNRELATED: 'ignored',
    });
    expect(config).toEqual({
      AVARA_API_KEY: 'sk_live_abc123',
      AVARA_BASE_URL: 'http://127.0.0.1:9999/prefix',
      HOST: '0.0.0.0',
      PORT: 0,
      DATA_DIR: '/var/lib/viewer-admin',
      DATABASE_URL: 'postgresql://viewer_admin@db.clinic.org:5432/viewer_admin',
      DATABASE_POOL_SIZE: 20,
      OPERATOR_REQUESTS_PER_MINUTE: 1200,
      UPSTREAM_TIMEOUT_MS: 2500,
      LOG_LEVEL: 'debug',
      ADMIN_EMAIL: 'boss@clinic.org',
      ADMIN_PASSWORD: 'a long admin password',
      SESSION_IDLE_MINUTES: 15,
      SESSION_MAX_HOURS: 4,
      PUBLIC_ORIGIN: 'https://viewer-admin.clinic.org',
      TLS_CERT_FILE: '/etc/viewer-admin/cert.pem',
      TLS_KEY_FILE: '/etc/viewer-admin/key.pem',
      TRUST_PROXY: ['10.0.0.5', '10.1.0.0/16'],
      IDEMPOTENCY_TTL_HOURS: 48,
      UPSTREAM_MAX_CONCURRENT: 4,
      UPSTREAM_QUEUE_TIMEOUT_MS: 2_000,
      UPSTREAM_BREAKER_FAILURES: 3,
      UPSTREAM_BREAKER_OPEN_MS: 30_000,
      SHUTDOWN_GRACE_MS: 20_000,
      DIRECTORY_REFRESH_MINUTES: 5,
      SANDBOX_SEED_PEOPLE: 10_000,
    });
  });

  it.each([
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['PORT', 'eighty'],
    ['PORT', '80.5'],
    ['AVARA_BASE_URL', 'ftp://api.avarasoftware.com'],
    ['AVARA_BASE_URL', 'api.avarasoftware.com'],
    ['AVARA_BASE_URL', 'not a url'],
    ['UPSTREAM_TIMEOUT_MS', '0'],
    ['UPSTREAM_TIMEOUT_MS', 'soon'],
    ['LOG_LEVEL', 'loud'],
    ['ADMIN_EMAIL', 'not-an-email'],
    ['SESSION_IDLE_MINUTES', '0'],
    ['SESSION_MAX_HOURS', '1000'],
    ['TRUST_PROXY', 'true'],
    ['TRUST_PROXY', '*'],
    ['TRUST_PROXY', '0.0.0.0/0'],
    ['TRUST_PROXY', 'proxy.internal'],
    ['IDEMPOTENCY_TTL_HOURS', '0'],
    ['IDEMPOTENCY_TTL_HOURS', 'a day'],
    ['UPSTREAM_MAX_CONCURRENT', '0'],
    ['UPSTREAM_QUEUE_TIMEOUT_MS', '-5'],
    ['UPSTREAM_BREAKER_FAILURES', '0'],
    ['UPSTREAM_BREAKER_OPEN_MS', '10'],
    ['SHUTDOWN_GRACE_MS', 'forever'],
    ['DIRECTORY_REFRESH_MINUTES', '0'],
    ['DIRECTORY_REFRESH_MINUTES', 'hourly'],
    ['SANDBOX_SEED_PEOPLE', '100001'],
    ['SANDBOX_SEED_PEOPLE', 'lots'],
    ['DATABASE_URL', 'mysql://admin:secret@db.clinic.org/viewer'],
    ['DATABASE_URL', 'db.clinic.org'],
    ['DATABASE_POOL_SIZE', '0'],
    ['OPERATOR_REQUESTS_PER_MINUTE', '5'],
  ])('refuses %s=%s with an error naming the variable', (name, value) => {
    const error = configError({ [name]: value });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toContain(name);
    expect(error.message).toContain(name);
  });

  it('names every bad variable at once', () => {
    const error = configError({ PORT: 'x', LOG_LEVEL: 'loud', AVARA_BASE_URL: 'ftp://x' });
    expect(error.problems).toHaveLength(3);
    expect(error.message).toMatch(/PORT/);
    expect(error.message).toMatch(/LOG_LEVEL/);
    expect(error.message).toMatch(/AVARA_BASE_URL/);
  });

  it('never echoes the key or other values in its errors', () => {
    const error = configError({
      AVARA_API_KEY: 'sk_live_supersecret_123',
      PORT: 'port-value-xyz',
      AVARA_BASE_URL: 'ftp://user:hunter2@example.org',
    });
    expect(error.message).not.toContain('sk_live_supersecret_123');
    expect(error.message).not.toContain('port-value-xyz');
    expect(error.message).not.toContain('hunter2');
  });

  it('refuses a short ADMIN_PASSWORD without echoing it', () => {
    const error = configError({ ADMIN_PASSWORD: 'tiny-secret' });
    expect(error.message).toContain('ADMIN_PASSWORD');
    expect(error.message).not.toContain('tiny-secret');
  });

  describe('plain HTTP beyond this computer', () => {
    it.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])('is fine on loopback (%s)', (host) => {
      expect(parseConfig({ HOST: host }).HOST).toBe(host);
    });

    it.each(['0.0.0.0', '::', '192.0.2.10', 'viewer-admin.clinic.org'])(
      'refuses HOST=%s without TLS or TRUST_PROXY, saying what to set',
      (host) => {
        const error = configError({ HOST: host });
        expect(error.problems).toHaveLength(1);
        expect(error.message).toMatch(/TLS_CERT_FILE and TLS_KEY_FILE/);
        expect(error.message).toMatch(/TRUST_PROXY/);
        expect(error.message).toMatch(/HOST=127\.0\.0\.1/);
      },
    );

    it('starts there with TLS files or behind a named proxy, told the public address', () => {
      const origin = { PUBLIC_ORIGIN: 'https://viewer-admin.clinic.org' };
      expect(
        parseConfig({ HOST: '0.0.0.0', TLS_CERT_FILE: 'c.pem', TLS_KEY_FILE: 'k.pem', ...origin }).HOST,
      ).toBe('0.0.0.0');
      expect(parseConfig({ HOST: '0.0.0.0', TRUST_PROXY: '10.0.0.5', ...origin }).TRUST_PROXY).toEqual([
        '10.0.0.5',
      ]);
      // A named host serving HTTPS itself is its own public address.
      const named = parseConfig({
        HOST: 'viewer-admin.clinic.org',
        PORT: '8443',
        TLS_CERT_FILE: 'c.pem',
        TLS_KEY_FILE: 'k.pem',
      });
      expect(publicOriginsOf(named)).toEqual(['https://viewer-admin.clinic.org:8443']);
      expect(publicOriginsOf(parseConfig({ HOST: '::1' }))).toBeUndefined();
      expect(publicOriginsOf(parseConfig({ ...origin }))).toEqual(['https://viewer-admin.clinic.org']);
    });

    it.each<Record<string, string>>([
      { HOST: '0.0.0.0', TLS_CERT_FILE: 'c.pem', TLS_KEY_FILE: 'k.pem' },
      { HOST: '::', TRUST_PROXY: '10.0.0.5' },
      { TRUST_PROXY: 'loopback' },
    ])('asks for PUBLIC_ORIGIN when it cannot know its public address (%o)', (env) => {
      const error = configError(env);
      expect(error.problems).toHaveLength(1);
      expect(error.message).toMatch(/Set PUBLIC_ORIGIN to the address people open/);
    });

    it.each([
      ['http://viewer-admin.clinic.org', /plain HTTP/],
      ['https://viewer-admin.clinic.org/admin', /no path/],
      ['https://user:pw@viewer-admin.clinic.org', /no path/],
      ['ftp://viewer-admin.clinic.org', /http:\/\/ or https:\/\//],
      ['viewer-admin.clinic.org', /http:\/\/ or https:\/\//],
    ])('refuses PUBLIC_ORIGIN=%s', (value, message) => {
      const error = configError({ PUBLIC_ORIGIN: value, TRUST_PROXY: '10.0.0.5' });
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain('pw@');
    });

    it('needs both TLS files', () => {
      expect(configError({ TLS_CERT_FILE: 'c.pem' }).message).toMatch(/both TLS_CERT_FILE and TLS_KEY_FILE/);
    });
  });
});

describe('DATABASE_URL without AVARA_API_KEY', () => {
  it('is refused: a sandbox of its own would not be shared by the other instances on the database', () => {
    const error = configError({ DATABASE_URL: 'postgres://viewer_admin@db.clinic.org/viewer_admin' });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/DATABASE_URL is set but AVARA_API_KEY is not.*sandbox of its own/);
    expect(error.message).not.toContain('db.clinic.org');
    expect(() =>
      parseConfig({
        DATABASE_URL: 'postgres://viewer_admin@db.clinic.org/viewer_admin',
        AVARA_API_KEY: 'sk_live_x',
      }),
    ).not.toThrow();
  });
});

describe('databaseLabel', () => {
  it('names the host, port and database of DATABASE_URL, never its user or password', () => {
    expect(
      databaseLabel('postgres://viewer_admin:s3cret%21@db.clinic.org:5432/viewer_admin?sslmode=require'),
    ).toBe('db.clinic.org:5432/viewer_admin');
  });
});
