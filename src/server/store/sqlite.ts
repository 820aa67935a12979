import type Database from 'better-sqlite3';

/** An open SQLite database (better-sqlite3). A leaf: the stores and database.ts, which opens and migrates it, use it. */
export type SqliteDatabase = Database.Database;
