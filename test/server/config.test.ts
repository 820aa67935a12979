import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/server/config.ts';

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
      UPSTREAM_TIMEOUT_MS: 15_000,
      LOG_LEVEL: 'info',
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
      UPSTREAM_TIMEOUT_MS: '2500',
      LOG_LEVEL: 'debug',
      UNRELATED: 'ignored',
    });
    expect(config).toEqual({
      AVARA_API_KEY: 'sk_live_abc123',
      AVARA_BASE_URL: 'http://127.0.0.1:9999/prefix',
      HOST: '0.0.0.0',
      PORT: 0,
      DATA_DIR: '/var/lib/viewer-admin',
      UPSTREAM_TIMEOUT_MS: 2500,
      LOG_LEVEL: 'debug',
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
});
