import { describe, expect, it } from 'vitest';
import { TrustProxyError, parseTrustProxy } from '../../../src/server/security/trust-proxy.ts';

describe('TRUST_PROXY', () => {
  it('is empty (trust no proxy) when unset or blank', () => {
    expect(parseTrustProxy(undefined)).toEqual([]);
    expect(parseTrustProxy('  ')).toEqual([]);
  });

  it('accepts explicit addresses, CIDR ranges and the named private ranges', () => {
    expect(parseTrustProxy(' 10.0.0.5, 10.0.0.0/24 ,::1, fd00:abcd::/32, loopback, UniqueLocal')).toEqual([
      '10.0.0.5',
      '10.0.0.0/24',
      '::1',
      'fd00:abcd::/32',
      'loopback',
      'uniquelocal',
    ]);
  });

  it.each(['true', '*', 'TRUE', '1', '2', 'all', '0.0.0.0/0', '::/0', '10.0.0.0/4', 'fd00::/8'])(
    'refuses "%s" (trusting everyone)',
    (value) => {
      expect(() => parseTrustProxy(value)).toThrow(TrustProxyError);
    },
  );

  it.each(['proxy.local', '10.0.0.300', '10.0.0.0/33', '10.0.0.0/24/1', 'fd00::/129'])(
    'refuses "%s" with a message naming it',
    (value) => {
      expect(() => parseTrustProxy(value)).toThrow(value);
    },
  );
});
