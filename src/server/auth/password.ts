import { randomBytes, randomInt, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Operator passwords are hashed with scrypt (node:crypto), a 16-byte random salt and a 64-byte derived key. The
 * stored string describes itself, so hashes made at another cost still verify and are re-hashed at the next sign-in:
 *
 *     scrypt$ln=14,r=8,p=5$<salt, base64url>$<key, base64url>
 *
 * Why N = 2^14, r = 8, p = 5: OWASP's Password Storage Cheat Sheet lists five scrypt configurations as giving equal
 * protection (N = 2^17 p = 1, 2^16 p = 2, 2^15 p = 3, 2^14 p = 5, 2^13 p = 10, all r = 8). They trade memory for
 * repetitions: scrypt holds 128 * N * r bytes while the p lanes run one after another, so 2^17/p=1 holds 128 MiB per
 * hash and 2^14/p=5 holds 16 MiB. Memory is what a burst of sign-ins exhausts on a small server, so we take the
 * 16 MiB set. It is not free: to an attacker
 * with a stolen database and memory to spare, it costs about 5/8 of the CPU of the 2^17 set per guess, and memory-hard
 * area-time is lower still; OWASP accepts any of the five as the minimum, and online guessing is held back by the
 * sign-in throttle and the hash pool (security/sign-in-throttle.ts, auth/hash-pool.ts), not by the cost alone.
 *
 * `PasswordCost` exists for tests only: hashing at the production cost for every test would make the suite slow on a
 * 2-core machine, so test code builds the app with `TEST_PASSWORD_COST`. Production code always uses
 * `OWASP_PASSWORD_COST`; nothing in the environment can lower it.
 */
export interface PasswordCost {
  /** log2 of scrypt's N (CPU/memory cost). */
  log2N: number;
  /** Block size. */
  r: number;
  /** Parallelism (lanes, computed one after another by Node). */
  p: number;
}

export const OWASP_PASSWORD_COST: PasswordCost = { log2N: 14, r: 8, p: 5 };
/** What production used before (128 MiB per hash): still verifies, and is re-hashed at the next sign-in. */
export const PREVIOUS_PASSWORD_COST: PasswordCost = { log2N: 17, r: 8, p: 1 };
/** Cheap cost for tests only (about 1 ms per hash). Never use it for real passwords. */
export const TEST_PASSWORD_COST: PasswordCost = { log2N: 10, r: 8, p: 1 };

const SALT_BYTES = 16;
const KEY_BYTES = 64;
const PREFIX = 'scrypt';
/**
 * Bounds on what a stored hash may ask for, so a corrupt row cannot make verify allocate gigabytes or spin for
 * minutes: at most 128 MiB (the previous production cost) and 16 lanes.
 */
const MAX_LOG2N = 20;
const MAX_R = 16;
const MAX_P = 16;
const MAX_MEMORY_BYTES = 128 * 1024 * 1024;

/** scrypt's working memory: 128 * N * r bytes (the p lanes run one after another and reuse it). */
function memoryOf(cost: PasswordCost): number {
  return 128 * 2 ** cost.log2N * cost.r;
}

/** Node refuses above `maxmem` (32 MiB by default), so size it to fit, with room for the lanes' small buffers. */
function maxmemFor(cost: PasswordCost): number {
  return memoryOf(cost) + 16 * 1024 * 1024;
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
    cost.p > MAX_P ||
    memoryOf(cost) > MAX_MEMORY_BYTES
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
  /**
   * True when a hash was not made at exactly the current cost (re-hash it at the next sign-in). Any difference
   * counts, not only a lower one: costs are not ordered (2^17/p=1 holds more memory than 2^14/p=5 but fewer lanes),
   * and the current cost is the one chosen, whichever way the old one differs.
   */
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
    // No password to compare (an operator made by single sign-on): the same work as a wrong one, so the time of a
    // refusal does not tell which e-mails have one.
    if (!decoded || decoded.key.length === 0) return verifyDummy(password);
    const candidate = await derive(password, decoded.salt, decoded.cost, decoded.key.length);
    return timingSafeEqual(candidate, decoded.key);
  }

  async function verifyDummy(password: string): Promise<false> {
    dummy ??= hash(generatePassword());
    await verify(password, await dummy);
    return false;
  }

  return {
    hash,
    verify,
    verifyDummy,
    needsRehash(encoded) {
      const decoded = decode(encoded);
      return (
        !decoded ||
        decoded.cost.log2N !== cost.log2N ||
        decoded.cost.r !== cost.r ||
        decoded.cost.p !== cost.p
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
