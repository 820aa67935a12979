import { closeSync, existsSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { OperatorRecord, OperatorStore } from '../store/operators.ts';
import { generatePassword, type PasswordHasher } from './password.ts';

/**
 * The first operator. When the database has no operator at all, one is created from ADMIN_EMAIL / ADMIN_PASSWORD
 * when both are set; otherwise with a generated password that is printed once and written to
 * DATA_DIR/initial-admin-password (mode 0600), and must be replaced at first sign-in (the file is then deleted).
 */
export const INITIAL_PASSWORD_FILE = 'initial-admin-password';
export const DEFAULT_ADMIN_EMAIL = 'admin@viewer-admin.local';

export interface BootstrapOptions {
  operators: OperatorStore;
  hasher: PasswordHasher;
  dataDir: string;
  adminEmail?: string | undefined;
  adminPassword?: string | undefined;
  now?: () => number;
}

export type BootstrapResult =
  | { created: false }
  | {
      created: true;
      operator: OperatorRecord;
      generatedPassword?: string | undefined;
      passwordFile?: string;
    };

export async function bootstrapFirstOperator(options: BootstrapOptions): Promise<BootstrapResult> {
  const { operators, hasher } = options;
  if ((await operators.count()) > 0) return { created: false };
  const email = options.adminEmail ?? DEFAULT_ADMIN_EMAIL;
  const generated = options.adminPassword === undefined ? generatePassword() : undefined;
  const password = options.adminPassword ?? generated ?? '';
  const operator = await operators.createFirst({
    email,
    displayName: 'Administrator',
    role: 'administrator',
    passwordHash: await hasher.hash(password),
    // A password chosen by whoever set ADMIN_PASSWORD is theirs; a generated one sat in a file and a terminal.
    mustChangePassword: generated !== undefined,
    createdAt: (options.now ?? Date.now)(),
  });
  if (!operator) return { created: false }; // another process (the operator tool) got there first
  if (generated === undefined) return { created: true, operator };
  const passwordFile = path.join(options.dataDir, INITIAL_PASSWORD_FILE);
  writePrivateFile(
    passwordFile,
    [
      'Viewer Admin: the first operator account.',
      `Email:    ${email}`,
      `Password: ${generated}`,
      'You will choose a new password when you first sign in; this file is deleted then.',
      '',
    ].join('\n'),
  );
  return { created: true, operator, generatedPassword: generated, passwordFile };
}

/** Create (or replace) a file readable and writable by the owner only, with that mode from the first byte. */
function writePrivateFile(file: string, text: string): void {
  rmSync(file, { force: true });
  const fd = openSync(file, 'wx', 0o600);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/** Delete the initial password file once the operator it names has chosen their own password. */
export function removeInitialPasswordFile(dataDir: string, operatorEmail: string): boolean {
  const file = path.join(dataDir, INITIAL_PASSWORD_FILE);
  if (!existsSync(file)) return false;
  const text = readFileSync(file, 'utf8');
  if (!text.includes(`Email:    ${operatorEmail}\n`)) return false;
  rmSync(file, { force: true });
  return true;
}
