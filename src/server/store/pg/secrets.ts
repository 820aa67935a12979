import { randomBytes } from 'node:crypto';
import type { SecretStore } from '../secrets.ts';
import type { PostgresDatabase } from './database.ts';

/** Server secrets in PostgreSQL: the first instance to ask makes one; every instance then reads that one. */
export function createPostgresSecretStore(db: PostgresDatabase): SecretStore {
  return {
    async getOrCreate(name, bytes) {
      await db.query(
        `INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO NOTHING`,
        [name, randomBytes(bytes), Date.now()],
      );
      const value: unknown = (await db.query('SELECT value FROM server_secrets WHERE name = $1', [name]))
        .rows[0]?.value;
      if (!Buffer.isBuffer(value) || value.length < bytes) {
        throw new Error(`The server secret "${name}" in the database is not usable.`);
      }
      return value;
    },
  };
}
