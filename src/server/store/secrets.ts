import { randomBytes } from 'node:crypto';
import type { SqliteDatabase } from './sqlite.ts';

/** Keys the server makes for itself and must keep across restarts (and share with other processes on the file). */
export interface SecretStore {
  /**
   * The secret called `name`, made of `bytes` random bytes the first time it is asked for. Two processes asking at
   * once get the same one.
   */
  getOrCreate(name: string, bytes: number): Promise<Buffer>;
}

export function createSqliteSecretStore(db: SqliteDatabase): SecretStore {
  const insert = db.prepare(
    'INSERT OR IGNORE INTO server_secrets (name, value, created_at) VALUES (@name, @value, @createdAt)',
  );
  const select = db.prepare('SELECT value FROM server_secrets WHERE name = ?').pluck();
  return {
    async getOrCreate(name, bytes) {
      insert.run({ name, value: randomBytes(bytes), createdAt: Date.now() });
      const value: unknown = select.get(name);
      if (!Buffer.isBuffer(value) || value.length < bytes) {
        throw new Error(`The server secret "${name}" in the database is not usable.`);
      }
      return value;
    },
  };
}
