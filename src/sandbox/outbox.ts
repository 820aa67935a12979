import { newId } from './ids.ts';
import type { OutboxMessage, StoredInvitation } from './store.ts';

export const CLINIC_NAME = 'Northside Imaging';

/** Where the (never sent) invitation e-mail says to accept: a reserved `.invalid` host, so nothing can follow it. */
const ACCEPT_BASE_URL = 'https://viewer.sandbox.invalid/invitations';

function fullName(invitation: StoredInvitation): string {
  return [invitation.firstName, invitation.middleName, invitation.lastName].filter(Boolean).join(' ');
}

/** The invitation e-mail the upstream would send. The sandbox only stores it in the outbox. */
export function composeInvitationEmail(invitation: StoredInvitation, now: Date): OutboxMessage {
  const expiry = invitation.expiry ? new Date(invitation.expiry).toUTCString() : 'no expiry date';
  const access = invitation.hasDashboardAccess ? 'with dashboard access' : 'without dashboard access';
  return {
    id: newId('msg'),
    to: invitation.email,
    subject: `You're invited to ${CLINIC_NAME} on Avara Viewer`,
    text: [
      `Hello ${fullName(invitation)},`,
      '',
      `You have been invited to join ${CLINIC_NAME} on Avara Viewer as ${invitation.clinicRole} ` +
        `(${invitation.level}, ${access}).`,
      `Accept the invitation before ${expiry}:`,
      `${ACCEPT_BASE_URL}/${invitation.invitationId}/accept`,
      '',
      'This message was captured by the Avara sandbox and never sent.',
    ].join('\n'),
    userId: invitation.userId,
    invitationId: invitation.invitationId,
    createdAt: now.toISOString(),
  };
}
