import type { FieldChange } from '../../contract/directory.ts';
import type { UpdateUser } from '../../contract/users.ts';

type Stored = Readonly<Record<string, unknown>>;

/** A stored value as the audit trail writes it: text, `true`/`false`, null for absent or blank. */
function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = String(value);
  return text === '' ? null : text;
}

/**
 * What an edit changes: each field the patch names whose value differs from the stored record's. With `after` (the
 * record Avara answered with) the new values are Avara's own (its spelling of a phone number, say); without it, the
 * patch's (what was asked for, recorded when the edit did not go through).
 */
export function fieldChanges(before: Stored, patch: UpdateUser, after?: Stored): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const from = asText(before[field]);
    const to = asText(after === undefined ? value : after[field]);
    if (from !== to) changes.push({ field, from, to });
  }
  return changes;
}
