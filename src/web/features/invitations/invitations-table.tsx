import Button from '@mui/material/Button';
import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { DirectoryInvitation } from '../../../contract/directory.ts';
import type { Invitation } from '../../../contract/invitations.ts';
import { DataTable } from '../../components/data-table.tsx';
import type { Column } from '../../components/data-table.tsx';
import { IdCell, TruncatedText } from '../../components/truncated-text.tsx';
import { Link as RouterLink } from '../../lib/routing.tsx';
import { invitedByText } from '../person/directory.ts';
import { ExpiryText, InvitationStateChip } from '../person/invitation-format.tsx';
import { userPath } from '../person/paths.ts';
import { displayName, userLevelLabel } from '../person/person-format.ts';
import { RecordedTime } from '../person/recorded-time.tsx';

type InvitationsTableProps = {
  invitations: readonly DirectoryInvitation[];
  selected: ReadonlySet<string>;
  onSelect: (invitations: readonly DirectoryInvitation[], selected: boolean) => void;
  /** Not offered when undefined (the operator's role does not include it). */
  onEdit: ((invitation: Invitation) => void) | undefined;
  onRevoke: ((invitation: Invitation) => void) | undefined;
  busy: boolean;
};

const muted = (text: string) => (
  <Typography variant="body2" component="span" sx={{ color: 'text.secondary' }}>
    {text}
  </Typography>
);

/** What can be done with it: a pending one can be edited or revoked; an expired one only outside this dashboard. */
function Actions({
  row,
  onEdit,
  onRevoke,
}: {
  row: DirectoryInvitation;
  /** Not offered when undefined (the operator's role does not include it). */
  onEdit: ((invitation: Invitation) => void) | undefined;
  onRevoke: ((invitation: Invitation) => void) | undefined;
}) {
  const { invitation } = row;
  const name = displayName(invitation);
  if (row.state === 'expired') {
    return (
      <Link component={RouterLink} to={userPath(invitation.userId)}>
        What to do now
      </Link>
    );
  }
  if (row.state !== 'pending') return muted('None (not pending)');
  if (onEdit === undefined && onRevoke === undefined) return muted('None for your role');
  return (
    <Stack direction="row" spacing={1}>
      {onEdit ? (
        <Button
          size="small"
          variant="outlined"
          onClick={() => onEdit(invitation)}
          aria-label={`Edit the invitation for ${name}`}
        >
          Edit
        </Button>
      ) : null}
      {onRevoke ? (
        <Button
          size="small"
          variant="outlined"
          color="error"
          onClick={() => onRevoke(invitation)}
          aria-label={`Revoke the invitation for ${name}`}
        >
          Revoke
        </Button>
      ) : null}
    </Stack>
  );
}

/** The Invitations table: where each stands, when it expires, who sent it; pending ones can be edited or revoked. */
export function InvitationsTable({
  invitations,
  selected,
  onSelect,
  onEdit,
  onRevoke,
  busy,
}: InvitationsTableProps) {
  const nameOf = (row: DirectoryInvitation) => displayName(row.invitation);
  const title: Column<DirectoryInvitation> = {
    key: 'person',
    header: 'Person',
    minWidth: 160,
    render: (row) => (
      <Stack spacing={0.25} sx={{ minWidth: 0 }}>
        <Link component={RouterLink} to={userPath(row.invitation.userId)} sx={{ fontWeight: 600 }}>
          {nameOf(row)}
        </Link>
        <Typography variant="body2" component="span" sx={{ color: 'text.secondary', minWidth: 0 }}>
          <TruncatedText value={row.invitation.email} />
        </Typography>
      </Stack>
    ),
  };
  const columns: Column<DirectoryInvitation>[] = [
    { key: 'state', header: 'State', render: (row) => <InvitationStateChip state={row.state} /> },
    {
      key: 'expiry',
      header: 'Expiry',
      minWidth: 110,
      render: (row) =>
        row.state === 'pending' || row.state === 'expired' ? (
          <ExpiryText expiry={row.invitation.expiry} />
        ) : (
          muted('No longer applies')
        ),
    },
    {
      key: 'actions',
      header: 'Actions',
      render: (row) => <Actions row={row} onEdit={onEdit} onRevoke={onRevoke} />,
    },
    {
      key: 'role',
      header: 'Role and level',
      minWidth: 120,
      render: ({ invitation }) => (
        <Stack spacing={0.25}>
          <span>{invitation.clinicRole}</span>
          {muted(userLevelLabel(invitation.level))}
        </Stack>
      ),
    },
    { key: 'inviter', header: 'Invited by', minWidth: 110, render: (row) => invitedByText(row.invitedBy) },
    {
      key: 'sent',
      header: 'Sent',
      nowrap: true,
      render: (row) => <RecordedTime at={row.invitation.createdAt} show="date" />,
    },
    {
      key: 'ids',
      header: 'invitationId and userId',
      render: (row) => (
        <Stack spacing={0.5} sx={{ minWidth: 0 }}>
          <IdCell value={row.invitation.invitationId} label="invitationId" of={nameOf(row)} />
          <IdCell value={row.invitation.userId} label="userId" of={nameOf(row)} />
        </Stack>
      ),
    },
  ];
  return (
    <DataTable
      label="Invitations"
      rows={invitations}
      title={title}
      columns={columns}
      rowKey={(row) => row.invitation.invitationId}
      rowName={(row) => `the invitation for ${nameOf(row)}`}
      selected={selected}
      onSelect={onSelect}
      busy={busy}
    />
  );
}
