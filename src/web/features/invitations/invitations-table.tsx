import Button from '@mui/material/Button';
import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { USER_ID_PATTERN } from '../../../contract/ids.ts';
import type { Invitation } from '../../../contract/invitations.ts';
import type { User } from '../../../contract/users.ts';
import { DataTable } from '../../components/data-table.tsx';
import type { Column } from '../../components/data-table.tsx';
import { IdWithCopy } from '../../components/id-copy.tsx';
import { Link as RouterLink } from '../../lib/routing.tsx';
import { EmailText } from '../person/email-text.tsx';
import { ExpiryText, InvitationStatusChip, isPendingInvitation } from '../person/invitation-format.tsx';
import { userPath } from '../person/paths.ts';
import { displayName, userLevelLabel } from '../person/person-format.ts';
import { RecordedTime } from '../person/recorded-time.tsx';

type InvitationsTableProps = {
  invitations: readonly Invitation[];
  inviters: ReadonlyMap<string, User>;
  selected: ReadonlySet<string>;
  onSelect: (invitations: readonly Invitation[], selected: boolean) => void;
  onEdit: (invitation: Invitation) => void;
  onRevoke: (invitation: Invitation) => void;
  busy: boolean;
};

function InvitedBy({
  invitation,
  inviters,
}: {
  invitation: Invitation;
  inviters: ReadonlyMap<string, User>;
}) {
  if (invitation.inviterId === null) {
    return <>{invitation.invitedSource === 'api' ? 'Through the API' : 'Unknown'}</>;
  }
  const inviter = inviters.get(invitation.inviterId);
  if (!USER_ID_PATTERN.test(invitation.inviterId)) return <>{invitation.inviterId}</>;
  return (
    <Link component={RouterLink} to={userPath(invitation.inviterId)}>
      {inviter ? displayName(inviter) : invitation.inviterId}
    </Link>
  );
}

/** The Invitations table: where each stands, when it expires, who sent it; pending ones can be edited or revoked. */
export function InvitationsTable({
  invitations,
  inviters,
  selected,
  onSelect,
  onEdit,
  onRevoke,
  busy,
}: InvitationsTableProps) {
  const title: Column<Invitation> = {
    key: 'person',
    header: 'Person',
    minWidth: 160,
    render: (invitation) => (
      <Stack spacing={0.25} sx={{ minWidth: 0 }}>
        <Link component={RouterLink} to={userPath(invitation.userId)} sx={{ fontWeight: 600 }}>
          {displayName(invitation)}
        </Link>
        <Typography variant="body2" component="span" sx={{ color: 'text.secondary' }}>
          <EmailText email={invitation.email} />
        </Typography>
      </Stack>
    ),
  };
  const columns: Column<Invitation>[] = [
    {
      key: 'status',
      header: 'Status',
      render: (invitation) => <InvitationStatusChip invitation={invitation} />,
    },
    {
      key: 'expiry',
      header: 'Expiry',
      minWidth: 110,
      render: (invitation) =>
        invitation.status === 'sent' ? (
          <ExpiryText expiry={invitation.expiry} />
        ) : (
          <Typography variant="body2" component="span" sx={{ color: 'text.secondary' }}>
            No longer applies
          </Typography>
        ),
    },
    {
      key: 'actions',
      header: 'Actions',
      render: (invitation) =>
        isPendingInvitation(invitation) ? (
          <Stack direction="row" spacing={1}>
            <Button
              size="small"
              variant="outlined"
              onClick={() => onEdit(invitation)}
              aria-label={`Edit the invitation for ${displayName(invitation)}`}
            >
              Edit
            </Button>
            <Button
              size="small"
              variant="outlined"
              color="error"
              onClick={() => onRevoke(invitation)}
              aria-label={`Revoke the invitation for ${displayName(invitation)}`}
            >
              Revoke
            </Button>
          </Stack>
        ) : (
          <Typography variant="body2" component="span" sx={{ color: 'text.secondary' }}>
            None (not pending)
          </Typography>
        ),
    },
    {
      key: 'role',
      header: 'Role and level',
      minWidth: 120,
      render: (invitation) => (
        <Stack spacing={0.25}>
          <span>{invitation.clinicRole}</span>
          <Typography variant="body2" component="span" sx={{ color: 'text.secondary' }}>
            {userLevelLabel(invitation.level)}
          </Typography>
        </Stack>
      ),
    },
    {
      key: 'inviter',
      header: 'Invited by',
      minWidth: 120,
      render: (invitation) => <InvitedBy invitation={invitation} inviters={inviters} />,
    },
    {
      key: 'dates',
      header: 'Created and updated',
      minWidth: 130,
      render: (invitation) => (
        <Stack spacing={0.25}>
          <span>
            Created <RecordedTime at={invitation.createdAt} show="date" />
          </span>
          <Typography variant="body2" component="span" sx={{ color: 'text.secondary' }}>
            Updated <RecordedTime at={invitation.updatedAt} show="date" />
          </Typography>
        </Stack>
      ),
    },
    {
      key: 'ids',
      header: 'invitationId and userId',
      minWidth: 170,
      render: (invitation) => (
        <Stack spacing={0.5}>
          <IdWithCopy
            value={invitation.invitationId}
            label="invitationId"
            of={displayName(invitation)}
            wrap
          />
          <IdWithCopy value={invitation.userId} label="userId" of={displayName(invitation)} wrap />
        </Stack>
      ),
    },
  ];
  return (
    <DataTable
      label="Invitations, newest first"
      rows={invitations}
      title={title}
      columns={columns}
      rowKey={(invitation) => invitation.invitationId}
      rowName={(invitation) => `the invitation for ${displayName(invitation)}`}
      selected={selected}
      onSelect={onSelect}
      busy={busy}
    />
  );
}
