import { useEffect, useRef, useState } from 'react';
import Alert from '@mui/material/Alert';
import Stack from '@mui/material/Stack';
import { USER_ID_PATTERN } from '../../../contract/ids.ts';
import type { Invitation } from '../../../contract/invitations.ts';
import type { CsvColumn } from '../../components/csv-export.tsx';
import { EmptyState } from '../../components/list-states.tsx';
import { PagedListBody, PagedListToolbar } from '../../components/paged-list.tsx';
import { RequestIdNote } from '../../components/request-id.tsx';
import { ScreenHeading } from '../../components/screen-heading.tsx';
import { useDocumentTitle } from '../../lib/document-title.ts';
import { invitationKeys } from '../../lib/query-keys.ts';
import { usePagedList } from '../../lib/use-paged-list.ts';
import { isExpired } from '../person/invitation-format.tsx';
import { listInvitations, useInviters } from './api.ts';
import { EditInvitationDialog, RevokeInvitationDialog } from './invitation-dialogs.tsx';
import { InvitationsFilters, hasInvitationFilters, readInvitationFilters } from './invitations-filters.tsx';
import { InvitationsTable } from './invitations-table.tsx';

const CSV_COLUMNS: readonly CsvColumn<Invitation>[] = [
  { header: 'invitationId', value: (i) => i.invitationId },
  { header: 'userId', value: (i) => i.userId },
  { header: 'email', value: (i) => i.email },
  { header: 'firstName', value: (i) => i.firstName },
  { header: 'middleName', value: (i) => i.middleName },
  { header: 'lastName', value: (i) => i.lastName },
  { header: 'suffix1', value: (i) => i.suffix1 },
  { header: 'suffix2', value: (i) => i.suffix2 },
  { header: 'phoneNumber', value: (i) => i.phoneNumber },
  { header: 'clinicRole', value: (i) => i.clinicRole },
  { header: 'level', value: (i) => i.level },
  { header: 'hasDashboardAccess', value: (i) => i.hasDashboardAccess },
  { header: 'canManageStudies', value: (i) => i.canManageStudies },
  { header: 'status', value: (i) => i.status },
  { header: 'expired', value: (i) => isExpired(i) },
  { header: 'expiry', value: (i) => i.expiry },
  { header: 'invitedSource', value: (i) => i.invitedSource },
  { header: 'inviterId', value: (i) => i.inviterId },
  { header: 'createdAt', value: (i) => i.createdAt },
  { header: 'updatedAt', value: (i) => i.updatedAt },
];

type Outcome = { severity: 'success' | 'info' | 'error'; text: string; requestId?: string | undefined };
type Acting = { kind: 'edit' | 'revoke'; invitation: Invitation } | null;

/** Invitations: where each stands (status, expiry), who sent it and when; edit or revoke the pending ones. */
export function InvitationsPage() {
  useDocumentTitle('Invitations');
  const list = usePagedList({
    readFilters: readInvitationFilters,
    hasFilters: hasInvitationFilters,
    queryKey: invitationKeys.list,
    fetchPage: listInvitations,
    rowsOf: (page) => page.invitations,
    rowKey: (invitation) => invitation.invitationId,
    copy: (invitation) => ({ email: invitation.email, userId: invitation.userId }),
  });
  const rows = list.rows;
  const inviterIds = [
    ...new Set(
      rows.flatMap((i) => (i.inviterId !== null && USER_ID_PATTERN.test(i.inviterId) ? [i.inviterId] : [])),
    ),
  ];
  const inviters = useInviters(inviterIds);
  const [acting, setActing] = useState<Acting>(null);
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
        Every invitation, newest first: where it stands and when it expires. Pending ones can still be edited
        or revoked.
      </ScreenHeading>

      <InvitationsFilters filters={list.filters} onChange={list.setFilters} onClear={list.clearFilters} />
      <PagedListToolbar list={list} noun="invitations" columns={CSV_COLUMNS} />

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
          hint: 'Try fewer statuses or a wider date range.',
        }}
        empty={
          <EmptyState title="No invitations yet">
            Invitations appear here as soon as they are sent.
          </EmptyState>
        }
      >
        <InvitationsTable
          invitations={rows}
          inviters={inviters}
          selected={list.selection.keys}
          onSelect={list.selection.select}
          onEdit={(invitation) => setActing({ kind: 'edit', invitation })}
          onRevoke={(invitation) => setActing({ kind: 'revoke', invitation })}
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
