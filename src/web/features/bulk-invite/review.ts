import type { BulkRowInput, InviteCheckResult, SkipReason } from '../../../contract/bulk.ts';
import type { InviteUser } from '../../../contract/users.ts';
import type { RowCheck, RowIssue } from './cells.ts';

/**
 * Every row's state in the review: ready to invite, needs a fix (why), will be skipped (why), or still being looked
 * up. Pure: the screen keeps the rows' checks and the e-mail lookups, and this works out what each row is.
 */

export type Existing = NonNullable<InviteCheckResult['results'][number]['existing']>;

/** What the BFF said about an e-mail address (or that it could not be asked). */
export type Lookup = { kind: 'known'; existing: Existing | null } | { kind: 'failed' } | { kind: 'pending' };

export type RowStatus =
  | { kind: 'ready'; invite: InviteUser }
  | { kind: 'fix'; issues: RowIssue[] }
  | {
      kind: 'skip';
      reason: Exclude<SkipReason, 'needs-fix'>;
      message: string;
      userId?: string;
    }
  | { kind: 'checking' }
  | { kind: 'unchecked' };

export interface ReviewRow {
  /** Stable across edits and removals. */
  id: number;
  line: number;
  cells: string[];
  check: RowCheck;
}

const dateText = (iso: string | null) => (iso === null ? undefined : iso.slice(0, 10));

/** Why an existing person is skipped, for the admin. */
function skipOf(existing: Existing): RowStatus {
  const invitation = existing.invitation;
  if (invitation !== null && invitation.status === 'sent') {
    const expiry = dateText(invitation.expiry);
    return {
      kind: 'skip',
      reason: 'pending-invitation',
      message: `Already invited (${existing.name}), not signed in yet${expiry === undefined ? '' : `; the invitation expires ${expiry}`}.`,
      userId: existing.userId,
    };
  }
  return {
    kind: 'skip',
    reason: 'existing-user',
    message: `Already a user: ${existing.name}.`,
    userId: existing.userId,
  };
}

/** Each row's status, in order. A second row with an e-mail address already in the sheet is skipped. */
export function reviewStatuses(
  rows: readonly ReviewRow[],
  lookups: ReadonlyMap<string, Lookup>,
): RowStatus[] {
  const firstLine = new Map<string, number>();
  return rows.map((row): RowStatus => {
    if (!row.check.ok) return { kind: 'fix', issues: row.check.issues };
    const { invite } = row.check;
    const earlier = firstLine.get(invite.email);
    if (earlier !== undefined) {
      return {
        kind: 'skip',
        reason: 'duplicate',
        message: `The same e-mail address is on line ${earlier}: only that row is invited.`,
      };
    }
    firstLine.set(invite.email, row.line);
    const lookup = lookups.get(invite.email);
    if (lookup === undefined || lookup.kind === 'pending') return { kind: 'checking' };
    if (lookup.kind === 'failed') return { kind: 'unchecked' };
    return lookup.existing === null ? { kind: 'ready', invite } : skipOf(lookup.existing);
  });
}

export interface ReviewCounts {
  ready: number;
  fix: number;
  skip: number;
  checking: number;
  unchecked: number;
}

export function countStatuses(statuses: readonly RowStatus[]): ReviewCounts {
  const counts: ReviewCounts = { ready: 0, fix: 0, skip: 0, checking: 0, unchecked: 0 };
  for (const status of statuses) counts[status.kind] += 1;
  return counts;
}

/** What may be sent: everything is settled, and nothing needs a fix unless the admin chose to send the ready rows only. */
export function canSend(counts: ReviewCounts, readyOnly: boolean): boolean {
  if (counts.ready === 0 || counts.checking > 0) return false;
  return readyOnly || (counts.fix === 0 && counts.unchecked === 0);
}

/** The rows of the batch: ready rows invited, the rest skipped with why. */
export function batchRows(rows: readonly ReviewRow[], statuses: readonly RowStatus[]): BulkRowInput[] {
  return rows.map((row, index): BulkRowInput => {
    const status = statuses[index] ?? { kind: 'checking' };
    const base = { line: row.line, cells: row.cells };
    switch (status.kind) {
      case 'ready':
        return { ...base, invite: status.invite };
      case 'skip':
        return {
          ...base,
          skip: {
            reason: status.reason,
            message: status.message,
            ...(status.userId === undefined ? {} : { userId: status.userId }),
          },
        };
      case 'fix':
        return {
          ...base,
          skip: {
            reason: 'needs-fix',
            message: status.issues
              .map((issue) => issue.message)
              .join(' ')
              .slice(0, 500),
          },
        };
      default:
        return {
          ...base,
          skip: { reason: 'needs-fix', message: 'Could not check whether this person already exists.' },
        };
    }
  });
}
