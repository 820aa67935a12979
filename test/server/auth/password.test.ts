import { describe, expect, it } from 'vitest';
import {
  OWASP_PASSWORD_COST,
  PREVIOUS_PASSWORD_COST,
  TEST_PASSWORD_COST,
  createPasswordHasher,
  generatePassword,
} from '../../../src/server/auth/password.ts';

const hasher = createPasswordHasher(TEST_PASSWORD_COST);

describe('password hashing', () => {
  it('uses OWASP’s 16 MiB scrypt parameters by default and says so in the hash', async () => {
    expect(OWASP_PASSWORD_COST).toEqual({ log2N: 14, r: 8, p: 5 });
    const hash = await createPasswordHasher().hash('correct horse battery staple');
    const match = /^scrypt\$ln=14,r=8,p=5\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/.exec(hash);
    expect(match).not.toBeNull();
    expect(Buffer.from(match?.[1] ?? '', 'base64url')).toHaveLength(16);
    expect(Buffer.from(match?.[2] ?? '', 'base64url')).toHaveLength(64);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hasher.hash('correct horse battery staple');
    expect(hash).not.toContain('correct');
    await expect(hasher.verify('correct horse battery staple', hash)).resolves.toBe(true);
    await expect(hasher.verify('correct horse battery stapler', hash)).resolves.toBe(false);
    await expect(hasher.verify('', hash)).resolves.toBe(false);
  });

  it('salts every hash', async () => {
    const a = await hasher.hash('same password twice');
    const b = await hasher.hash('same password twice');
    expect(a).not.toBe(b);
  });

  it('reads the cost from the hash, so a hash made at another cost still verifies', async () => {
    const other = createPasswordHasher({ log2N: 11, r: 8, p: 1 });
    const hash = await other.hash('a password of decent length');
    await expect(hasher.verify('a password of decent length', hash)).resolves.toBe(true);
    expect(other.needsRehash(hash)).toBe(false);
    expect(createPasswordHasher({ log2N: 12, r: 8, p: 1 }).needsRehash(hash)).toBe(true);
  });

  it('asks for a re-hash whenever the cost differs, higher or lower, in any parameter', async () => {
    const current = await hasher.hash('a password of decent length');
    expect(hasher.needsRehash(current)).toBe(false);
    for (const cost of [
      { log2N: 11, r: 8, p: 1 },
      { log2N: 9, r: 8, p: 1 },
      { log2N: 10, r: 4, p: 1 },
      { log2N: 10, r: 8, p: 2 },
      { log2N: 9, r: 8, p: 2 },
    ]) {
      const made = await createPasswordHasher(cost).hash('a password of decent length');
      expect(hasher.needsRehash(made), JSON.stringify(cost)).toBe(true);
      await expect(hasher.verify('a password of decent length', made)).resolves.toBe(true);
    }
    expect(hasher.needsRehash('not a hash')).toBe(true);
  });

  it('still verifies a hash at the previous production cost (2^17, 128 MiB), and re-hashes it', async () => {
    const previous = createPasswordHasher(PREVIOUS_PASSWORD_COST);
    const hash = await previous.hash('a password of decent length');
    expect(hash).toMatch(/^scrypt\$ln=17,r=8,p=1\$/);
    const production = createPasswordHasher();
    await expect(production.verify('a password of decent length', hash)).resolves.toBe(true);
    await expect(production.verify('another password of length', hash)).resolves.toBe(false);
    // 2^17 holds more memory but 2^14 runs five lanes: neither is "lower", and it is not the chosen set.
    expect(production.needsRehash(hash)).toBe(true);
  });

  it('treats malformed or absurd hashes as a mismatch, not a crash', async () => {
    for (const bad of [
      '',
      'plain',
      'scrypt$ln=17,r=8,p=1$$',
      'scrypt$ln=40,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA',
      // 1 GiB of memory (2^20 * 8 * 128): more than any cost we ever used.
      'scrypt$ln=20,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA',
      'scrypt$ln=10,r=8,p=17$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA',
    ]) {
      await expect(hasher.verify('anything', bad)).resolves.toBe(false);
    }
  });

  it('normalises Unicode so the same password typed on another keyboard matches', async () => {
    const hash = await hasher.hash('Cafe\u0301 au lait, s’il vous plaît');
    await expect(hasher.verify('Caf\u00e9 au lait, s’il vous plaît', hash)).resolves.toBe(true);
  });

  it('verifyDummy always answers false and takes about as long as a real verify', async () => {
    const real = createPasswordHasher({ log2N: 14, r: 8, p: 1 });
    const hash = await real.hash('the real password here');
    await real.verifyDummy('warm-up'); // builds the dummy hash once
    // Interleaved, so load on the machine affects both sides alike.
    let dummy = 0;
    let verify = 0;
    for (let i = 0; i < 6; i += 1) {
      let started = performance.now();
      await real.verifyDummy('the real password here');
      dummy += performance.now() - started;
      started = performance.now();
      await real.verify('a wrong password here', hash);
      verify += performance.now() - started;
    }
    await expect(real.verifyDummy('the real password here')).resolves.toBe(false);
    expect(dummy / verify).toBeGreaterThan(0.4);
    expect(dummy / verify).toBeLessThan(2.5);
  });
});

describe('generatePassword', () => {
  it('makes long, unambiguous, distinct passwords', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i += 1) {
      const password = generatePassword();
      expect(password).toMatch(/^[a-km-zA-HJ-NP-Z2-9]{4}(-[a-km-zA-HJ-NP-Z2-9]{4}){5}$/);
      seen.add(password);
    }
    expect(seen.size).toBe(200);
  });
});
