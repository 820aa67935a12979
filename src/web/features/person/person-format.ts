import type { User } from '../../../contract/users.ts';
import { formatPersonName, levelLabel } from '../../lib/format.ts';

const SOURCE_LABELS: Record<string, string> = { api: 'API', dashboard: 'Avara dashboard' };

/** "api" → "API"; an unknown source is shown as it came. */
export function sourceLabel(source: string): string {
  return SOURCE_LABELS[source] ?? source;
}

/** "owner" → "Owner"; an unknown level is shown as it came. */
export function userLevelLabel(level: string): string {
  return ['owner', 'admin', 'member'].includes(level) ? levelLabel(level) : level;
}

/** The full name with suffixes, or the email when the name is somehow empty. */
export function displayName(
  person: Pick<User, 'firstName' | 'middleName' | 'lastName' | 'suffix1' | 'suffix2' | 'email'>,
): string {
  return formatPersonName(person) || person.email;
}
