import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../src/server/logging.ts';

describe('redactUrl', () => {
  it('keeps the path and parameter names, never the values', () => {
    expect(redactUrl('/api/users?email=dana%40clinic.org&limit=5')).toBe(
      '/api/users?email=[redacted]&limit=[redacted]',
    );
    expect(redactUrl('/api/users')).toBe('/api/users');
    expect(redactUrl('/api/users?')).toBe('/api/users?');
  });

  it('drops parameter names that could carry data themselves', () => {
    expect(redactUrl('/x?dana%40clinic.org')).toBe('/x?[redacted]');
    expect(redactUrl('/x?%E0%A4%A=1')).toBe('/x?[redacted]');
    expect(redactUrl(`/x?${'a'.repeat(60)}=1`)).toBe('/x?[redacted]');
  });
});
