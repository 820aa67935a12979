import { mkdtempSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_ADMIN_EMAIL,
  INITIAL_PASSWORD_FILE,
  bootstrapFirstOperator,
  removeInitialPasswordFile,
} from '../../../src/server/auth/bootstrap.ts';
import { TEST_PASSWORD_COST, createPasswordHasher } from '../../../src/server/auth/password.ts';
import type { Store } from '../../../src/server/store/store.ts';
import { STORE_BACKENDS } from '../../support/store-backends.ts';

const hasher = createPasswordHasher(TEST_PASSWORD_COST);
let dir: string;
let store: Store;

describe.each(STORE_BACKENDS)('with the $name store', (backend) => {
  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'va-bootstrap-'));
    store = await backend.open();
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('first operator', () => {
    it('without ADMIN_PASSWORD: generates one, writes it to a 0600 file, and requires a change', async () => {
      const result = await bootstrapFirstOperator({ operators: store.operators, hasher, dataDir: dir });
      if (!result.created) throw new Error('expected an operator');
      const file = path.join(dir, INITIAL_PASSWORD_FILE);
      expect(result.passwordFile).toBe(file);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const text = readFileSync(file, 'utf8');
      expect(text).toContain(`Email:    ${DEFAULT_ADMIN_EMAIL}`);
      expect(text).toContain(`Password: ${result.generatedPassword}`);
      expect(result.operator.mustChangePassword).toBe(true);
      expect(await hasher.verify(result.generatedPassword ?? '', result.operator.passwordHash)).toBe(true);
      expect(removeInitialPasswordFile(dir, 'someone-else@clinic.org')).toBe(false);
      expect(removeInitialPasswordFile(dir, DEFAULT_ADMIN_EMAIL)).toBe(true);
      expect(existsSync(file)).toBe(false);
    });

    it('with ADMIN_EMAIL and ADMIN_PASSWORD: uses them, writes no file, no forced change', async () => {
      const result = await bootstrapFirstOperator({
        operators: store.operators,
        hasher,
        dataDir: dir,
        adminEmail: 'boss@clinic.org',
        adminPassword: 'chosen by the deployer',
      });
      if (!result.created) throw new Error('expected an operator');
      expect(result.operator).toMatchObject({ email: 'boss@clinic.org', mustChangePassword: false });
      expect(result.generatedPassword).toBeUndefined();
      expect(existsSync(path.join(dir, INITIAL_PASSWORD_FILE))).toBe(false);
    });

    it('does nothing once any operator exists', async () => {
      await bootstrapFirstOperator({ operators: store.operators, hasher, dataDir: dir });
      rmSync(path.join(dir, INITIAL_PASSWORD_FILE));
      expect(await bootstrapFirstOperator({ operators: store.operators, hasher, dataDir: dir })).toEqual({
        created: false,
      });
      expect(existsSync(path.join(dir, INITIAL_PASSWORD_FILE))).toBe(false);
      expect(await store.operators.count()).toBe(1);
    });
  });
});
