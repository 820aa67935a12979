import { CLINIC_ROLES, isClinicRole } from '../../../contract/roles.ts';
import type { ClinicRole } from '../../../contract/roles.ts';

/**
 * A role as a spreadsheet spells it, matched to the clinic's role list: the same role in any case and spacing is the
 * role; otherwise the nearest roles are suggested (an abbreviation such as "RN", a word of the role such as "tech", a
 * typo) for the admin to confirm. Never chosen silently: a suggestion waits for the admin.
 */

export type RoleMatch =
  { kind: 'exact'; role: ClinicRole } | { kind: 'suggest'; suggestions: ClinicRole[] } | { kind: 'none' };

/** Whole-role aliases, each with the roles it may mean in order (the first on the current list is offered). */
const ALIASES: Readonly<Record<string, readonly string[]>> = {
  rn: ['Registered Nurse'],
  nurse: ['Registered Nurse'],
  np: ['Nurse Practitioner'],
  arnp: ['Nurse Practitioner'],
  pa: ['Physician Assistant'],
  pac: ['Physician Assistant'],
  md: ['Doctor', 'Physician'],
  do: ['Doctor', 'Physician'],
  dr: ['Doctor'],
  crna: ['Certified Registered Nurse Anesthetist', 'Registered Nurse'],
  ma: ['Medical Assistant', 'Administrative Assistant'],
  receptionist: ['Front Desk Operator'],
  reception: ['Front Desk Operator'],
  frontdesk: ['Front Desk Operator'],
  secretary: ['Administrative Assistant'],
  radiographer: ['Imaging Technologist'],
  sonographer: ['Imaging Technologist'],
  pacsadmin: ['PACS Administrator', 'IT Administrator'],
  pacsadministrator: ['PACS Administrator', 'IT Administrator'],
  itadmin: ['IT Administrator', 'PACS Administrator'],
  developer: ['Software Engineer'],
  programmer: ['Software Engineer'],
  billing: ['Revenue Cycle Manager'],
  rcm: ['Revenue Cycle Manager'],
  practicemanager: ['Administrative Director'],
  officemanager: ['Administrative Director'],
  ent: ['Otolaryngologist'],
};

/** Words that stand for another word of a role ("tech" for technologist, "radiology" for imaging). */
const WORD_ALIASES: Readonly<Record<string, readonly string[]>> = {
  tech: ['technologist', 'technician'],
  techs: ['technologist', 'technician'],
  technician: ['technologist', 'technician'],
  technologist: ['technologist', 'technician'],
  radiology: ['imaging'],
  radiologic: ['imaging'],
  radiography: ['imaging'],
  xray: ['imaging'],
  mri: ['imaging'],
  ct: ['imaging'],
  ultrasound: ['imaging'],
  sonography: ['imaging'],
  mammography: ['imaging'],
  admin: ['administrator', 'administrative'],
  administration: ['administrator', 'administrative'],
  asst: ['assistant'],
  assist: ['assistant'],
  dir: ['director'],
  mgr: ['manager'],
  coord: ['coordinator'],
  engineer: ['engineer'],
  nursing: ['nurse'],
  lab: ['laboratory'],
  doc: ['doctor'],
  physio: ['physical'],
};

const words = (text: string) =>
  text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/x-ray/g, 'xray')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word !== '');

const keyOf = (text: string) => words(text).join('');

const ROLE_BY_KEY: ReadonlyMap<string, ClinicRole> = new Map(CLINIC_ROLES.map((role) => [keyOf(role), role]));

/** Edit distance (insertions, deletions, substitutions), stopping early past `limit`. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
      current.push(value);
      best = Math.min(best, value);
    }
    if (best > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** How well one typed word stands for one word of a role (0 to 1). */
function wordScore(typed: string, roleWord: string): number {
  if (typed === roleWord) return 1;
  if (WORD_ALIASES[typed]?.includes(roleWord)) return 0.9;
  if (typed.length >= 3 && roleWord.startsWith(typed)) return 0.8;
  if (typed.length >= 5 && editDistance(typed, roleWord, 2) <= (typed.length >= 8 ? 2 : 1)) return 0.8;
  return 0;
}

/** How well the typed words cover a role's words, and the role's words the typed ones (0 to 1). */
function roleScore(typed: readonly string[], role: ClinicRole): number {
  const roleWords = words(role);
  let matched = 0;
  const used = new Set<number>();
  for (const word of typed) {
    let best = 0;
    let bestIndex = -1;
    roleWords.forEach((roleWord, index) => {
      if (used.has(index)) return;
      const score = wordScore(word, roleWord);
      if (score > best) {
        best = score;
        bestIndex = index;
      }
    });
    if (bestIndex !== -1) used.add(bestIndex);
    matched += best;
  }
  if (matched === 0) return 0;
  // Both directions count: "nurse" suits "Registered Nurse" less than "registered nurse" does.
  return (matched / typed.length + matched / roleWords.length) / 2;
}

const SUGGESTIONS = 3;
const THRESHOLD = 0.45;
/** Roles far behind the best are not offered beside it ("radiology tech" is not a pharmacy technician). */
const NEAR_BEST = 0.75;

/** The role a cell names, or suggestions, or nothing. */
export function matchRole(text: string): RoleMatch {
  const key = keyOf(text);
  if (key === '') return { kind: 'none' };
  const exact = ROLE_BY_KEY.get(key);
  if (exact !== undefined) return { kind: 'exact', role: exact };

  const suggestions: ClinicRole[] = [];
  const add = (role: ClinicRole) => {
    if (!suggestions.includes(role)) suggestions.push(role);
  };
  const alias = ALIASES[key]?.find(isClinicRole);
  if (alias !== undefined) add(alias);

  const typed = words(text);
  const scored = CLINIC_ROLES.map((role) => ({
    role,
    score: Math.max(
      roleScore(typed, role),
      // A typo of the whole role ("Radiolgist", "Registerd nurse").
      editDistance(key, keyOf(role), 3) <= Math.min(3, Math.floor(key.length / 4)) ? 0.95 : 0,
    ),
  }))
    .filter((entry) => entry.score >= THRESHOLD)
    .sort((a, b) => b.score - a.score);
  const best = scored[0]?.score ?? 0;
  scored.filter((entry) => entry.score >= best * NEAR_BEST).forEach((entry) => add(entry.role));
  return suggestions.length === 0
    ? { kind: 'none' }
    : { kind: 'suggest', suggestions: suggestions.slice(0, SUGGESTIONS) };
}
