import { CLINIC_ROLES } from '../contract/roles.ts';
import { INVITATION_LIFETIME_DAYS } from '../contract/invitations.ts';
import { stableId } from './ids.ts';
import { SEED_EMAIL_DOMAIN } from './seed.ts';
import type { SandboxStore } from './store.ts';

/**
 * A large deterministic clinic (SANDBOX_SEED_PEOPLE=N) for trying the directory at scale: the demo clinic and more
 * people up to N in all, with varied
 * names (accented ones too), roles (a few no longer on Avara's list), levels, access, sources, sign-ins and every
 * invitation state. Same N, same people, same ids. One transaction, so 10,000 people take a few seconds.
 */

const FIRST_NAMES = [
  'Zoë',
  'José',
  'Łukasz',
  'Priya',
  'Margaret',
  'Daniel',
  'Aisha',
  'Kenji',
  'Elena',
  'Marcus',
  'Sofia',
  'Grace',
  'Olumide',
  'Fatima',
  'Chloé',
  'Søren',
  'Ingrid',
  'Diego',
  'Amara',
  'Mei',
  'Noah',
  'Émilie',
  'Björn',
  'Ana',
  'Mohammed',
  'Siobhán',
  'Raúl',
  'Yuki',
  'Chidi',
  'Hannah',
  'François',
  'Agnieszka',
  'Tomás',
  'Leilani',
  'Omar',
];
const MIDDLE_NAMES = ['Anne', 'James', 'María', 'Lee', 'Ngozi', 'Renée'];
const LAST_NAMES = [
  'Natarajan',
  'Okafor',
  'Reyes',
  'Becker',
  'Bello',
  'García',
  'Kowalski',
  'Müller',
  'Papadopoulos',
  'Nguyễn',
  'Watanabe',
  'Petrova',
  'Johnson',
  'Álvarez',
  'Liu',
  'Chen',
  'Schultz',
  'Adeyemi',
  'Kim',
  'Haddad',
  'Osei',
  'Moreau',
  'Brooks',
  'Dubois',
  'Santos',
  'Tanaka',
  'Holm',
  'Lindqvist',
  'Ramírez',
  'Nwosu',
  "O'Brien",
  'Wiśniewski',
  'Jørgensen',
  'Van der Berg',
  'Smith-Jones',
  'Þórsson',
  'Çelik',
];
const SUFFIXES = ['MD', 'RN', 'NP', 'PhD', 'Jr.', 'DO'];
const EARLIER_ROLES = ['PACS Administrator', 'Transcriptionist'];
const INVITATIONS = [
  'accepted',
  'accepted',
  'accepted',
  'pending',
  'expired',
  'revoked',
  'rejected',
] as const;
const INVITATION_STATUS = {
  accepted: 'accepted',
  pending: 'sent',
  expired: 'sent',
  revoked: 'revoked',
  rejected: 'rejected',
};

const DAY_MS = 24 * 60 * 60 * 1000;

/** A small deterministic generator (mulberry32), so the same N always gives the same clinic. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function ascii(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/** `count` people besides the demo clinic (whose owner stays the only owner). */
export function seedManyPeople(store: SandboxStore, count: number, now: Date): void {
  const random = generator(16);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const at = (ms: number) => new Date(now.getTime() - ms).toISOString();
  store.transaction(() => {
    for (let index = 0; index < count; index += 1) {
      const first = pick(FIRST_NAMES);
      const last = pick(LAST_NAMES);
      const email = `${ascii(first)}.${ascii(last)}.${index + 1}@${SEED_EMAIL_DOMAIN}`;
      const userId = stableId('usr', email);
      const level = random() < 0.08 ? 'admin' : 'member';
      const dashboard = level !== 'member' || random() < 0.6;
      const source = random() < 0.5 ? 'dashboard' : 'api';
      const invitation = pick(INVITATIONS);
      // Oldest first over about two years, a few minutes apart, so nobody shares a timestamp.
      const addedMs = (count - index) * 5 * 60_000 + 60_000;
      const signedIn = invitation === 'accepted' && random() < 0.9;
      const fields = {
        firstName: first,
        middleName: random() < 0.15 ? pick(MIDDLE_NAMES) : null,
        lastName: last,
        suffix1: random() < 0.3 ? pick(SUFFIXES) : null,
        suffix2: null,
        phoneNumber: random() < 0.4 ? `617555${String(index % 10_000).padStart(4, '0')}` : null,
        clinicRole: random() < 0.02 ? pick(EARLIER_ROLES) : pick(CLINIC_ROLES),
        level,
        hasDashboardAccess: dashboard,
        canManageStudies: random() < 0.5,
      };
      const createdAt = at(addedMs);
      store.insertUser({
        ...fields,
        userId,
        email,
        invitedSource: source,
        createdAt,
        lastLoginAt: signedIn ? at(Math.floor(random() * Math.min(addedMs, 60 * DAY_MS))) : null,
      });
      // Pending invitations are recent (their week has not run out); the others may be any age.
      const sentMs = invitation === 'pending' ? Math.floor(random() * 6 * DAY_MS) : addedMs;
      store.insertInvitation({
        ...fields,
        invitationId: stableId('inv', email),
        userId,
        clinicId: store.clinicId,
        email,
        invitedSource: source,
        inviterId: null,
        invitedByApiKeyId: source === 'api' ? store.apiKeyId : null,
        status: INVITATION_STATUS[invitation],
        expiry: at(sentMs - INVITATION_LIFETIME_DAYS * DAY_MS),
        createdAt: invitation === 'pending' ? at(sentMs) : createdAt,
        updatedAt: at(sentMs),
      });
    }
  });
}
