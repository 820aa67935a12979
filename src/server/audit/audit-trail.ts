import type { AuditCompletion, AuditEntry, AuditStore } from '../store/audit.ts';

/** The audit trail could not be written: the action it would have described must not happen (503). */
export class AuditUnavailableError extends Error {
  override readonly name = 'AuditUnavailableError';
  constructor(options?: { cause?: unknown }) {
    super('The activity log cannot be written right now, so the action was not attempted.', options);
  }
}

/** Who did something, as the audit trail names them. `operatorId` is null for the command-line tool. */
export interface AuditActor {
  operatorId: string | null;
  operatorEmail: string | null;
  requestId: string | null;
}

export interface PendingAudit {
  readonly id: number;
  /** Record how the action went. Never throws: a failure here is reported to `onError` and the record stays pending. */
  complete(completion: Omit<AuditCompletion, 'at'>): Promise<void>;
}

export interface AuditTrail {
  /**
   * Write a `pending` record BEFORE the action. Throws AuditUnavailableError when it cannot be written, in which
   * case the caller must not attempt the action.
   */
  begin(entry: Omit<AuditEntry, 'at' | 'outcome'>): Promise<PendingAudit>;
  /** Write a finished record at once (sign-in, refusals). Throws AuditUnavailableError when it cannot be written. */
  record(entry: Omit<AuditEntry, 'at'>): Promise<void>;
}

export function createAuditTrail(
  store: AuditStore,
  options: { now?: () => number; onError?: (error: unknown) => void } = {},
): AuditTrail {
  const now = options.now ?? (() => Date.now());
  const onError = options.onError ?? (() => undefined);

  async function append(entry: AuditEntry): Promise<number> {
    try {
      return await store.append(entry);
    } catch (error) {
      onError(error);
      throw new AuditUnavailableError({ cause: error });
    }
  }

  return {
    async begin(entry) {
      const id = await append({ ...entry, at: now(), outcome: 'pending' });
      return {
        id,
        async complete(completion) {
          try {
            await store.complete(id, { ...completion, at: now() });
          } catch (error) {
            onError(error);
          }
        },
      };
    },
    async record(entry) {
      await append({ ...entry, at: now() });
    },
  };
}
