import { describe, expect, it } from 'vitest';
import { createPasswordHasher } from '../../../src/server/auth/password.ts';
import { NO_PASSWORD } from '../../../src/server/store/identities.ts';

describe('a stored hash with no password behind it', () => {
  it('goes through a derivation like a wrong password, so a refusal’s time does not tell which e-mails have one', async () => {
    // A cost scrypt refuses: any derivation this hasher starts fails, which shows whether one was started.
    const failing = createPasswordHasher({ log2N: 40, r: 8, p: 1 });
    await expect(failing.verify('a wrong guess', NO_PASSWORD)).rejects.toThrow();
    await expect(failing.verify('a wrong guess', 'not a hash at all')).rejects.toThrow();
  });
});
