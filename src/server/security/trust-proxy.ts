import { isIP } from 'node:net';

/**
 * TRUST_PROXY: which TLS-terminating proxies' `X-Forwarded-For` / `X-Forwarded-Proto` the BFF believes. A
 * comma-separated list of explicit addresses or CIDR ranges (`10.0.0.5`, `10.0.0.0/24`, `::1`), or the names
 * `loopback`, `linklocal`, `uniquelocal`. "Trust everything" (`true`, `*`, `0.0.0.0/0`, `::/0`) and hop counts are
 * refused: believing any forwarded address would let any client choose the address it is rate limited by.
 */
export const TRUST_PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'] as const;

export class TrustProxyError extends Error {
  override readonly name = 'TrustProxyError';
}

const EVERYTHING = new Set(['true', '*', 'all', 'any', 'yes', '1']);

/** Parse the setting into the list Fastify's `trustProxy` accepts. Empty or unset: trust no proxy. */
export function parseTrustProxy(raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === '') return [];
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  return entries.map((entry) => {
    const lower = entry.toLowerCase();
    if (EVERYTHING.has(lower) || /^\d+$/.test(entry)) {
      throw new TrustProxyError(
        `TRUST_PROXY must list the proxy's own addresses (for example 10.0.0.5 or 10.0.0.0/24), not "${entry}": ` +
          'trusting every sender would let any client forge its address.',
      );
    }
    if ((TRUST_PROXY_NAMES as readonly string[]).includes(lower)) return lower;
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    if (family === 0 || extra !== undefined) {
      throw new TrustProxyError(
        `TRUST_PROXY has "${entry}", which is not an IP address or CIDR range (like 10.0.0.5 or 10.0.0.0/24).`,
      );
    }
    if (prefix !== undefined) {
      const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
      const max = family === 4 ? 32 : 128;
      if (!(bits >= 0 && bits <= max)) {
        throw new TrustProxyError(`TRUST_PROXY has "${entry}": the prefix after / must be 0 to ${max}.`);
      }
      if (bits < (family === 4 ? 8 : 16)) {
        throw new TrustProxyError(
          `TRUST_PROXY has "${entry}", which covers far too many addresses. List the proxy's own address or subnet.`,
        );
      }
    }
    return entry;
  });
}
