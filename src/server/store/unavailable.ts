/**
 * The database could not be reached (the connection was refused, cut, or timed out), so nothing was read or written
 * by the statement that failed. Answered as a 503 problem; the store recovers on its own when the database is back.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(options?: { cause?: unknown }) {
    super('The database is not reachable right now.', options);
  }
}
