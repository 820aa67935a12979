import { randomBytes, randomInt, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Operator passwords are hashed with scrypt (node:crypto) at the parameters OWASP's Password Storage Cheat Sheet
 * lists for scrypt: N = 2^17, r = 8, p = 1 (about 128 MiB and a few hundred milliseconds per hash), a 16-byte
 * random salt and a 64-byte derived key. The stored string describes itself, so the cost can be raised later
 * without breaking existing hashes:
 *
 *     scrypt$ln=17,r=8,p=1$<salt, base64url>$<key, base64url>
 *
 * `PasswordCost` exists for tests only: hashing at ln=17 for every test would make the suite slow on a 2-core
 * machine, so test code builds the app with `TEST_PASSWORD_COST` (ln=10). Production code always uses
 * `OWASP_PASSWORD_COST`; nothing in the environment can lower it.
 */
export interface PasswordCost {
  /** log2 of scrypt's N (CPU/memory cost). */
  log2N: number;
  /** Block size. */
  r: number;
  /** Parallelism. */
  p: number;
}

export const OWASP_PASSWORD_COST: PasswordCost = { log2N: 17, r: 8, p: 1 };
/** Cheap cost for tests only (about 1 ms per hash). Never use it for real passwords. */
export const TEST_PASSWORD_COST: PasswordCost = { log2N: 10, r: 8, p: 1 };

const SALT_BYTES = 16;
const KEY_BYTES = 64;
const PREFIX = 'scrypt';
/** Bounds on what a stored hash may ask for, so a corrupt row cannot make verify allocate gigabytes. */
const MAX_LOG2N = 20;
const MAX_R = 16;
const MAX_P = 4;

/** scrypt needs 128 * N * r * p bytes; Node refuses above `maxmem` (32 MiB by default), so size it to fit. */
function maxmemFor(cost: PasswordCost): number {
  return 128 * 2 ** cost.log2N * cost.r * cost.p + 16 * 1024 * 1024;
}

function derive(password: string, salt: Buffer, cost: PasswordCost, keyBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize('NFKC'),
      salt,
      keyBytes,
      { N: 2 ** cost.log2N, r: cost.r, p: cost.p, maxmem: maxmemFor(cost) },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

function encode(cost: PasswordCost, salt: Buffer, key: Buffer): string {
  return `${PREFIX}$ln=${cost.log2N},r=${cost.r},p=${cost.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

interface DecodedHash {
  cost: PasswordCost;
  salt: Buffer;
  key: Buffer;
}

const ENCODED_PATTERN =
  /^scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9_-]{16,})\$([A-Za-z0-9_-]{16,})$/;

function decode(encoded: string): DecodedHash | undefined {
  const match = ENCODED_PATTERN.exec(encoded);
  if (!match) return undefined;
  const [, ln, r, p, salt, key] = match;
  const cost: PasswordCost = { log2N: Number(ln), r: Number(r), p: Number(p) };
  if (
    cost.log2N < 1 ||
    cost.log2N > MAX_LOG2N ||
    cost.r < 1 ||
    cost.r > MAX_R ||
    cost.p < 1 ||
    cost.p > MAX_P
  ) {
    return undefined;
  }
  return { cost, salt: Buffer.from(salt ?? '', 'base64url'), key: Buffer.from(key ?? '', 'base64url') };
}

export interface PasswordHasher {
  /** A self-describing hash of the password with a fresh salt. */
  hash(password: string): Promise<string>;
  /** True when the password matches; false for a wrong password or a malformed hash. Constant-time comparison. */
  verify(password: string, encoded: string): Promise<boolean>;
  /**
   * Spend the same time as `verify` against a real hash, and answer false. Used when the email is unknown so
   * a wrong email and a wrong password cannot be told apart by timing.
   */
  verifyDummy(password: string): Promise<false>;
  /** True when a hash was made at a lower cost than the current one (re-hash it at the next sign-in). */
  needsRehash(encoded: string): boolean;
}

export function createPasswordHasher(cost: PasswordCost = OWASP_PASSWORD_COST): PasswordHasher {
  let dummy: Promise<string> | undefined;

  async function hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_BYTES);
    return encode(cost, salt, await derive(password, salt, cost, KEY_BYTES));
  }

  async function verify(password: string, encoded: string): Promise<boolean> {
    const decoded = decode(encoded);
    if (!decoded || decoded.key.length === 0) return false;
    const candidate = await derive(password, decoded.salt, decoded.cost, decoded.key.length);
    return timingSafeEqual(candidate, decoded.key);
  }

  return {
    hash,
    verify,
    async verifyDummy(password) {
      dummy ??= hash(generatePassword());
      await verify(password, await dummy);
      return false;
    },
    needsRehash(encoded) {
      const decoded = decode(encoded);
      return (
        !decoded || decoded.cost.log2N < cost.log2N || decoded.cost.r < cost.r || decoded.cost.p < cost.p
      );
    },
  };
}

/** Unambiguous characters (no 0/O, 1/l/I) so a printed password can be typed from paper. */
const ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A random password of 24 characters from 56 (about 139 bits), in groups of four for reading aloud. */
export function generatePassword(): string {
  const chars = Array.from({ length: 24 }, () => ALPHABET[randomInt(ALPHABET.length)] ?? 'x');
  const groups: string[] = [];
  for (let i = 0; i < chars.length; i += 4) groups.push(chars.slice(i, i + 4).join(''));
  return groups.join('-');
}
