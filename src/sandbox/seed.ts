import type { ClinicRole } from '../contract/roles.ts';
import { INVITATION_LIFETIME_DAYS } from '../contract/invitations.ts';
import { stableId } from './ids.ts';
import type { SandboxStore } from './store.ts';

/**
 * The demo clinic a newcomer sees on first start: Northside Imaging, 29 people covering every role group (two
 * still holding "PACS Administrator", a role Avara's current list no longer has; two brought over from an older
 * system without recorded times, so their createdAt, updatedAt and expiry are null), one owner, a few admins (all with dashboard access), members with a mix of access; people added from the
 * dashboard and through the API over the past eight months; most signed in, some never. Their invitations cover
 * every state: accepted, pending, expired (still `sent`, past expiry), revoked and rejected.
 * Content is fixed; times are relative to the first start; ids derive from the e-mail so they are stable.
 */

export const SEED_EMAIL_DOMAIN = 'northside-imaging.example';
const SEEDED_META_KEY = 'seededAt';

/** A role from an earlier version of Avara's list, which people created back then still carry. */
type EarlierRole = 'PACS Administrator';

type SeedInvitation = 'accepted' | 'pending' | 'expired' | 'revoked' | 'rejected';

interface SeedPerson {
  first: string;
  middle?: string;
  last: string;
  suffix1?: string;
  suffix2?: string;
  phone?: string;
  role: ClinicRole | EarlierRole;
  level: 'owner' | 'admin' | 'member';
  dashboard: boolean;
  studies: boolean;
  source: 'dashboard' | 'api';
  /** When the person was added (days before the first start). */
  addedDaysAgo: number;
  /** Last sign-in (days before the first start); absent: never signed in. */
  lastLoginDaysAgo?: number;
  invitation: SeedInvitation;
  /** False: Avara holds no times for them (null on the wire; the invitation has no expiry). */
  timesRecorded?: false;
}

/** Oldest first. */
// prettier-ignore
export const SEED_PEOPLE: readonly SeedPerson[] = [
  { first: 'Margaret', middle: 'Anne', last: 'Okafor', phone: '6175550100', role: 'Administrative Director', level: 'owner', dashboard: true, studies: true, source: 'dashboard', addedDaysAgo: 240, lastLoginDaysAgo: 0.2, invitation: 'accepted' },
  { first: 'Daniel', last: 'Reyes', suffix1: 'MD', suffix2: 'FACR', phone: '6175550101', role: 'Radiologist', level: 'admin', dashboard: true, studies: true, source: 'dashboard', addedDaysAgo: 236, lastLoginDaysAgo: 1, invitation: 'accepted' },
  { first: 'Priya', last: 'Natarajan', phone: '6175550102', role: 'PACS Administrator', level: 'admin', dashboard: true, studies: true, source: 'dashboard', addedDaysAgo: 231, lastLoginDaysAgo: 0.5, invitation: 'accepted' },
  { first: 'Thomas', last: 'Becker', role: 'Software Engineer', level: 'admin', dashboard: true, studies: false, source: 'api', addedDaysAgo: 220, lastLoginDaysAgo: 3, invitation: 'accepted' },
  { first: 'Aisha', middle: 'Folake', last: 'Bello', suffix1: 'MD', role: 'Radiologist', level: 'member', dashboard: true, studies: true, source: 'dashboard', addedDaysAgo: 211, lastLoginDaysAgo: 2, invitation: 'accepted' },
  { first: 'Rosa', last: 'Delgado', role: 'Medical Assistant', level: 'member', dashboard: false, studies: false, source: 'api', addedDaysAgo: 205, lastLoginDaysAgo: 3, invitation: 'accepted', timesRecorded: false },
  { first: 'Kenji', last: 'Watanabe', suffix1: 'MD', phone: '+1 (617) 555-0105', role: 'Cardiologist', level: 'member', dashboard: true, studies: true, source: 'api', addedDaysAgo: 200, lastLoginDaysAgo: 6, invitation: 'accepted' },
  { first: 'Elena', last: 'Petrova', suffix1: 'MD', suffix2: 'PhD', role: 'Neurologist', level: 'member', dashboard: true, studies: true, source: 'api', addedDaysAgo: 188, lastLoginDaysAgo: 14, invitation: 'accepted' },
  { first: 'Marcus', last: 'Johnson', suffix1: 'Jr.', role: 'Imaging Technologist', level: 'member', dashboard: false, studies: true, source: 'api', addedDaysAgo: 179, lastLoginDaysAgo: 1, invitation: 'accepted' },
  { first: 'Sofia', last: 'Alvarez', suffix1: 'RN', phone: '6175550108', role: 'Registered Nurse', level: 'member', dashboard: false, studies: false, source: 'dashboard', addedDaysAgo: 170, lastLoginDaysAgo: 4, invitation: 'accepted' },
  { first: 'Grace', last: 'Liu', suffix1: 'NP', role: 'Nurse Practitioner', level: 'member', dashboard: true, studies: false, source: 'api', addedDaysAgo: 161, lastLoginDaysAgo: 9, invitation: 'accepted' },
  { first: 'Robert', middle: 'James', last: 'Chen', suffix1: 'III', suffix2: 'MD', role: 'Urologist', level: 'member', dashboard: true, studies: true, source: 'api', addedDaysAgo: 150, lastLoginDaysAgo: 21, invitation: 'accepted' },
  { first: 'Hannah', last: 'Schultz', phone: '6175550111', role: 'Front Desk Operator', level: 'member', dashboard: false, studies: false, source: 'dashboard', addedDaysAgo: 141, lastLoginDaysAgo: 0.1, invitation: 'accepted' },
  { first: 'Olumide', last: 'Adeyemi', suffix1: 'PA-C', role: 'Physician Assistant', level: 'member', dashboard: true, studies: true, source: 'api', addedDaysAgo: 130, lastLoginDaysAgo: 30, invitation: 'accepted' },
  { first: 'Laura', last: 'Kim', suffix1: 'MD', role: 'Gynecologist', level: 'member', dashboard: true, studies: true, source: 'api', addedDaysAgo: 119, lastLoginDaysAgo: 45, invitation: 'accepted' },
  { first: 'Fatima', last: 'Haddad', phone: '6175550114', role: 'Revenue Cycle Manager', level: 'admin', dashboard: true, studies: false, source: 'dashboard', addedDaysAgo: 110, lastLoginDaysAgo: 2, invitation: 'accepted' },
  { first: 'Samuel', last: 'Osei', suffix1: 'MD', role: 'Endocrinologist', level: 'member', dashboard: false, studies: false, source: 'api', addedDaysAgo: 95, invitation: 'revoked' },
  { first: 'Isabel', last: 'Moreau', role: 'Patient Care Coordinator', level: 'member', dashboard: true, studies: false, source: 'api', addedDaysAgo: 81, lastLoginDaysAgo: 5, invitation: 'accepted' },
  { first: 'Nathan', last: 'Brooks', suffix1: 'DO', role: 'Surgeon', level: 'member', dashboard: true, studies: true, source: 'api', addedDaysAgo: 60, invitation: 'rejected' },
  { first: 'Chloe', last: 'Dubois', role: 'Administrative Assistant', level: 'member', dashboard: false, studies: false, source: 'dashboard', addedDaysAgo: 45, invitation: 'expired' },
  { first: 'Victor', last: 'Santos', suffix1: 'PharmD', role: 'Pharmacist', level: 'member', dashboard: true, studies: true, source: 'api', addedDaysAgo: 30, invitation: 'revoked' },
  { first: 'Mei', last: 'Tanaka', role: 'Imaging Technologist', level: 'member', dashboard: false, studies: true, source: 'api', addedDaysAgo: 20, invitation: 'expired' },
  { first: 'Ingrid', last: 'Holm', suffix1: 'RN', role: 'Nurse Manager', level: 'member', dashboard: true, studies: false, source: 'api', addedDaysAgo: 15, invitation: 'pending', timesRecorded: false },
  { first: 'Jonas', last: 'Lindqvist', suffix1: 'MD', role: 'Doctor', level: 'member', dashboard: true, studies: false, source: 'api', addedDaysAgo: 12, invitation: 'expired' },
  { first: 'Diego', last: 'Ramírez', suffix1: 'RN', role: 'Registered Nurse', level: 'member', dashboard: true, studies: false, source: 'dashboard', addedDaysAgo: 9, lastLoginDaysAgo: 8, invitation: 'accepted' },
  { first: 'Amara', last: 'Nwosu', suffix1: 'MD', suffix2: 'FACR', phone: '6175550123', role: 'Radiologist', level: 'admin', dashboard: true, studies: true, source: 'api', addedDaysAgo: 4, invitation: 'pending' },
  { first: 'Ethan', last: 'Walsh', role: 'Other', level: 'member', dashboard: false, studies: false, source: 'dashboard', addedDaysAgo: 2, invitation: 'pending' },
  { first: 'Walter', last: 'Grant', role: 'PACS Administrator', level: 'member', dashboard: true, studies: false, source: 'api', addedDaysAgo: 1, invitation: 'pending' },
  { first: 'Zoë', last: 'Papadopoulos', suffix1: 'NP', role: 'Nurse Practitioner', level: 'member', dashboard: true, studies: true, source: 'api', addedDaysAgo: 0.5, invitation: 'pending' },
];

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** The local part of a seeded address: ASCII, lower case (Zoë → zoe). */
function mailbox(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

export function seedEmail(person: Pick<SeedPerson, 'first' | 'last'>): string {
  return `${mailbox(person.first)}.${mailbox(person.last)}@${SEED_EMAIL_DOMAIN}`;
}

const INVITATION_STATUS: Record<SeedInvitation, string> = {
  accepted: 'accepted',
  pending: 'sent',
  expired: 'sent',
  revoked: 'revoked',
  rejected: 'rejected',
};

/** When the invitation last changed, relative to when it was sent. */
const UPDATED_AFTER_MS: Record<SeedInvitation, number> = {
  accepted: 6 * HOUR_MS,
  pending: 0,
  expired: 0,
  revoked: 2 * DAY_MS,
  rejected: DAY_MS,
};

/** True when this store has never been seeded and holds nobody yet. */
export function needsSeed(store: SandboxStore): boolean {
  return store.getMeta(SEEDED_META_KEY) === undefined && store.countUsers() === 0;
}

export function seedClinic(store: SandboxStore, now: Date): void {
  const at = (ms: number) => new Date(now.getTime() - ms).toISOString();
  store.transaction(() => {
    const [owner, firstAdmin] = SEED_PEOPLE;
    const ownerId = owner ? stableId('usr', seedEmail(owner)) : null;
    const firstAdminId = firstAdmin ? stableId('usr', seedEmail(firstAdmin)) : null;
    SEED_PEOPLE.forEach((person, index) => {
      const email = seedEmail(person);
      const userId = stableId('usr', email);
      // Spread people over the day too, so nobody shares a timestamp.
      const addedMs = person.addedDaysAgo * DAY_MS - ((index * 137) % 600) * 60_000;
      const createdAt = at(addedMs);
      const fields = {
        firstName: person.first,
        middleName: person.middle ?? null,
        lastName: person.last,
        suffix1: person.suffix1 ?? null,
        suffix2: person.suffix2 ?? null,
        phoneNumber: person.phone === undefined ? null : person.phone.replace(/\D/g, ''),
        clinicRole: person.role,
        level: person.level,
        hasDashboardAccess: person.dashboard,
        canManageStudies: person.studies,
      };
      store.insertUser({
        ...fields,
        userId,
        email,
        invitedSource: person.source,
        createdAt,
        lastLoginAt: person.lastLoginDaysAgo === undefined ? null : at(person.lastLoginDaysAgo * DAY_MS),
        timesRecorded: person.timesRecorded ?? true,
      });
      const fromDashboard = person.source === 'dashboard';
      // The owner invited the first colleagues from the dashboard; later the first admin shared the work.
      const dashboardInviter = index <= 2 || index % 2 === 0 ? ownerId : firstAdminId;
      const inviter = person.level === 'owner' || !fromDashboard ? null : dashboardInviter;
      store.insertInvitation({
        ...fields,
        invitationId: stableId('inv', email),
        userId,
        clinicId: store.clinicId,
        email,
        invitedSource: person.source,
        inviterId: inviter,
        invitedByApiKeyId: fromDashboard ? null : store.apiKeyId,
        status: INVITATION_STATUS[person.invitation],
        expiry: person.timesRecorded === false ? null : at(addedMs - INVITATION_LIFETIME_DAYS * DAY_MS),
        createdAt,
        updatedAt: at(addedMs - UPDATED_AFTER_MS[person.invitation]),
        timesRecorded: person.timesRecorded ?? true,
      });
    });
    store.setMeta(SEEDED_META_KEY, now.toISOString());
  });
}
