import { TEST_PASSWORD_COST, createPasswordHasher } from '../../src/server/auth/password.ts';
import type { PasswordHasher } from '../../src/server/auth/password.ts';

/**
 * The real (test-cost) password hasher, whose answers a test can hold back: while the gate is closed every hash and
 * verification waits, so a test can fill the server's hash pool and see what happens around it, without timings.
 */
export interface GatedHasher {
  hasher: PasswordHasher;
  /** Hold every hash and verification that starts from now on. */
  close(): void;
  /** Let everything held (and everything after) through. */
  open(): void;
  /** Hashes and verifications started so far (held or not). */
  started(): number;
}

export function createGatedHasher(): GatedHasher {
  const real = createPasswordHasher(TEST_PASSWORD_COST);
  let gate: Promise<void> | undefined;
  let release = () => {};
  let started = 0;
  const pass = async () => {
    started += 1;
    if (gate) await gate;
  };
  return {
    hasher: {
      hash: async (password) => {
        await pass();
        return real.hash(password);
      },
      verify: async (password, encoded) => {
        await pass();
        return real.verify(password, encoded);
      },
      verifyDummy: async (password) => {
        await pass();
        return real.verifyDummy(password);
      },
      needsRehash: (encoded) => real.needsRehash(encoded),
    },
    close() {
      gate ??= new Promise((resolve) => {
        release = resolve;
      });
    },
    open() {
      release();
      gate = undefined;
    },
    started: () => started,
  };
}
