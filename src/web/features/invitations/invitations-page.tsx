import { useEffect, useRef, useState } from 'react';
import Alert from '@mui/material/Alert';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { DirectoryInvitation } from '../../../contract/directory.ts';
import type { Invitation } from '../../../contract/invitations.ts';
import type { CsvColumn } from '../../components/csv-export.tsx';
import { EmptyState } from '../../components/list-states.tsx';
import { PagedListBody, PagedListToolbar } from '../../components/paged-list.tsx';
import { RequestIdNote } from '../../components/request-id.tsx';
import { ScreenHeading } from '../../components/screen-heading.tsx';
import type { TsvColumn } from '../../components/selection-toolbar.tsx';
import { useDocumentTitle } from '../../lib/document-title.ts';
import { directoryKeys } from '../../lib/query-keys.ts';
import { usePagedList } from '../../lib/use-paged-list.ts';
import { DirectoryFreshnessLine } from '../person/directory-freshness.tsx';
import { invitedByText } from '../person/directory.ts';
import { listInvitations } from './api.ts';
import { EditInvitationDialog, RevokeInvitationDialog } from '../person/invitation-dialogs.tsx';
import { useCan } from '../../lib/role.ts';
import type { Outcome } from '../person/invitation-dialogs.tsx';
import { InvitationsFilters, hasInvitationFilters, readInvitationFilters } from './invitations-filters.tsx';
import { InvitationsTable } from './invitations-table.tsx';

const CSV_COLUMNS: readonly CsvColumn<DirectoryInvitation>[] = [
  { header: 'invitationId', value: (r) => r.invitation.invitationId },
  { header: 'userId', value: (r) => r.invitation.userId },
  { header: 'email', value: (r) => r.invitation.email },
  { header: 'firstName', value: (r) => r.invitation.firstName },
  { header: 'middleName', value: (r) => r.invitation.middleName },
  { header: 'lastName', value: (r) => r.invitation.lastName },
  { header: 'suffix1', value: (r) => r.invitation.suffix1 },
  { header: 'suffix2', value: (r) => r.invitation.suffix2 },
  { header: 'phoneNumber', value: (r) => r.invitation.phoneNumber },
  { header: 'clinicRole', value: (r) => r.invitation.clinicRole },
  { header: 'level', value: (r) => r.invitation.level },
  { header: 'hasDashboardAccess', value: (r) => r.invitation.hasDashboardAccess },
  { header: 'canManageStudies', value: (r) => r.invitation.canManageStudies },
  { header: 'state', value: (r) => r.state },
  { header: 'status', value: (r) => r.invitation.status },
  { header: 'expiry', value: (r) => r.invitation.expiry },
  { header: 'invitedBy', value: (r) => invitedByText(r.invitedBy) },
  { header: 'invitedSource', value: (r) => r.invitation.invitedSource },
  { header: 'inviterId', value: (r) => r.invitation.inviterId },
  { header: 'createdAt', value: (r) => r.invitation.createdAt },
  { header: 'updatedAt', value: (r) => r.invitation.updatedAt },
];

const TSV_COLUMNS: readonly TsvColumn<DirectoryInvitation>[] = [
  { header: 'email', value: (r) => r.invitation.email },
  { header: 'userId', value: (r) => r.invitation.userId },
  { header: 'invitationId', value: (r) => r.invitation.invitationId },
];

type Acting = { kind: 'edit' | 'revoke'; invitation: Invitation } | null;

/** Invitations: where each stands (status, expiry), who sent it and when; edit or revoke the pending ones. */
export function InvitationsPage() {
  useDocumentTitle('Invitations');
  const list = usePagedList({
    readFilters: readInvitationFilters,
    hasFilters: hasInvitationFilters,
    queryKey: directoryKeys.invitations,
    fetchPage: listInvitations,
    rowsOf: (page) => page.invitations,
    rowKey: (row) => row.invitation.invitationId,
  });
  const data = list.result.data;
  const [acting, setActing] = useState<Acting>(null);
  // What the role includes is offered: editing a pending invitation (Inviter), revoking it (Administrator).
  const canEdit = useCan('inviter');
  const canRevoke = useCan('administrator');
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const outcomeRef = useRef<HTMLDivElement>(null);
  // A new outcome takes the focus: it is read out, and the keyboard carries on from there (the row's button that
  // was pressed may be gone).
  useEffect(() => {
    if (outcome) outcomeRef.current?.focus();
  }, [outcome]);

  const finish = (result?: Outcome) => {
    setActing(null);
    if (result) {
      setOutcome(result);
    }
  };

  return (
    <Stack spacing={3}>
      <ScreenHeading title="Invitations">
        Every invitation: where it stands, who sent it and when it expires. Pending ones can still be edited
        or revoked.
      </ScreenHeading>

      <InvitationsFilters filters={list.filters} onChange={list.setFilters} onClear={list.clearFilters} />
      <Stack spacing={0.5}>
        {data ? (
          <Typography role="status" aria-live="polite" sx={{ fontWeight: 600 }}>
            {data.total.toLocaleString('en')} {data.total === 1 ? 'invitation' : 'invitations'}
          </Typography>
        ) : null}
        <DirectoryFreshnessLine freshness={data?.freshness} />
      </Stack>
      <PagedListToolbar list={list} noun="invitations" columns={CSV_COLUMNS} tsv={TSV_COLUMNS} />

      {outcome ? (
        <Alert
          severity={outcome.severity}
          role={outcome.severity === 'error' ? 'alert' : 'status'}
          ref={outcomeRef}
          tabIndex={-1}
          onClose={() => setOutcome(null)}
        >
          {outcome.text}
          <RequestIdNote requestId={outcome.requestId} />
        </Alert>
      ) : null}

      <PagedListBody
        list={list}
        noun="invitations"
        noMatches={{
          title: 'No invitations match these filters',
          hint: 'Check the spelling, try fewer states or a wider date range.',
        }}
        empty={
          <EmptyState title="No invitations yet">
            Invitations appear here as soon as they are sent.
          </EmptyState>
        }
      >
        <InvitationsTable
          invitations={list.rows}
          selected={list.selection.keys}
          onSelect={list.selection.select}
          onEdit={canEdit ? (invitation) => setActing({ kind: 'edit', invitation }) : undefined}
          onRevoke={canRevoke ? (invitation) => setActing({ kind: 'revoke', invitation }) : undefined}
          busy={list.result.isFetching}
        />
      </PagedListBody>

      {acting?.kind === 'edit' ? (
        <EditInvitationDialog
          key={acting.invitation.invitationId}
          invitation={acting.invitation}
          onClose={finish}
        />
      ) : null}
      {acting?.kind === 'revoke' ? (
        <RevokeInvitationDialog
          key={acting.invitation.invitationId}
          invitation={acting.invitation}
          onClose={finish}
        />
      ) : null}
    </Stack>
  );
}
