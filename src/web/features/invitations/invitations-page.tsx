import { useEffect, useRef, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import LinearProgress from '@mui/material/LinearProgress';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { USER_ID_PATTERN } from '../../../contract/ids.ts';
import type { Invitation } from '../../../contract/invitations.ts';
import { CsvExport, EXPORT_PAGE_SIZE } from '../../components/csv-export.tsx';
import type { CsvColumn } from '../../components/csv-export.tsx';
import { EmptyState, ErrorState, ListSkeleton } from '../../components/list-states.tsx';
import { PagingControls } from '../../components/paging-controls.tsx';
import { SelectionToolbar } from '../../components/selection-toolbar.tsx';
import type { SelectedPerson } from '../../components/selection-toolbar.tsx';
import { localDateStamp } from '../../lib/dates.ts';
import { useDocumentTitle } from '../../lib/document-title.ts';
import {
  clearedSearch,
  nextPageSearch,
  previousPageSearch,
  readPaging,
  withFilters,
  withPageSize,
} from '../../lib/list-url.ts';
import { useSearchParams } from '../../lib/routing.tsx';
import { useSelection } from '../../lib/use-selection.ts';
import { isExpired } from '../person/invitation-format.tsx';
import { invitationsQueryOptions, listInvitations, useInviters } from './api.ts';
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

type Outcome = { severity: 'success' | 'info' | 'error'; text: string };
type Acting = { kind: 'edit' | 'revoke'; invitation: Invitation } | null;

/** Invitations: where each stands (status, expiry), who sent it and when; edit or revoke the pending ones. */
export function InvitationsPage() {
  useDocumentTitle('Invitations');
  const [search, setSearch] = useSearchParams();
  const filters = readInvitationFilters(search);
  const paging = readPaging(search);
  const query = {
    ...filters,
    limit: paging.limit,
    ...(paging.cursor === undefined ? {} : { cursor: paging.cursor }),
  };
  const invitations = useQuery(invitationsQueryOptions(query));
  const filterScope = JSON.stringify(filters);
  const selection = useSelection<Invitation, SelectedPerson>(
    filterScope,
    (invitation) => invitation.invitationId,
    (invitation) => ({ email: invitation.email, userId: invitation.userId }),
  );
  const rows = invitations.data?.invitations ?? [];
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

  const filtered = hasInvitationFilters(filters);
  const clear = () => setSearch(clearedSearch(search));
  const staleCursor =
    invitations.isError &&
    invitations.error.status === 400 &&
    (invitations.error.problem.errors ?? []).some((e) => e.path === 'cursor');

  return (
    <Stack spacing={3}>
      <Stack spacing={1}>
        <Typography variant="h1">Invitations</Typography>
        <Typography color="text.secondary">
          Every invitation, newest first: where it stands and when it expires. Pending ones can still be
          edited or revoked.
        </Typography>
      </Stack>

      <InvitationsFilters
        filters={filters}
        onChange={(changes) => setSearch(withFilters(search, changes))}
        onClear={clear}
      />

      <Stack
        direction={{ xs: 'column', md: 'row' }}
        spacing={2}
        sx={{ justifyContent: 'space-between', alignItems: { md: 'flex-start' } }}
      >
        <SelectionToolbar selected={selection.selected} onClear={selection.clear} />
        <CsvExport
          noun="invitations"
          columns={CSV_COLUMNS}
          fileName={() => `invitations-${localDateStamp()}`}
          fetchPage={async (cursor, signal) => {
            const page = await listInvitations(
              { ...filters, limit: EXPORT_PAGE_SIZE, ...(cursor === undefined ? {} : { cursor }) },
              signal,
            );
            return { rows: page.invitations, cursor: page.cursor, hasMore: page.hasMore };
          }}
        />
      </Stack>

      {outcome ? (
        <Alert
          severity={outcome.severity}
          role={outcome.severity === 'error' ? 'alert' : 'status'}
          ref={outcomeRef}
          tabIndex={-1}
          onClose={() => setOutcome(null)}
        >
          {outcome.text}
        </Alert>
      ) : null}

      {invitations.isPending ? <ListSkeleton label="Loading invitations…" /> : null}
      {staleCursor ? (
        <Alert
          severity="warning"
          action={
            <Button
              color="inherit"
              size="small"
              variant="outlined"
              onClick={() => setSearch(withFilters(search, {}))}
            >
              First page
            </Button>
          }
        >
          That page link is no longer valid. Start again from the first page.
        </Alert>
      ) : invitations.isError ? (
        <ErrorState
          title="The invitations could not be loaded."
          error={invitations.error}
          onRetry={() => void invitations.refetch()}
          retrying={invitations.isFetching}
        />
      ) : null}
      {invitations.isSuccess && rows.length === 0 ? (
        filtered || paging.page > 1 ? (
          <EmptyState
            title="No invitations match these filters"
            action={
              <Button variant="contained" onClick={clear}>
                Clear filters
              </Button>
            }
          >
            Try fewer statuses or a wider date range.
          </EmptyState>
        ) : (
          <EmptyState title="No invitations yet">
            Invitations appear here as soon as they are sent.
          </EmptyState>
        )
      ) : null}
      {rows.length > 0 ? (
        <Stack spacing={1}>
          {invitations.isFetching ? <LinearProgress aria-label="Loading invitations" /> : null}
          <InvitationsTable
            invitations={rows}
            inviters={inviters}
            selected={selection.keys}
            onSelect={selection.select}
            onEdit={(invitation) => setActing({ kind: 'edit', invitation })}
            onRevoke={(invitation) => setActing({ kind: 'revoke', invitation })}
            busy={invitations.isFetching}
          />
        </Stack>
      ) : null}
      {invitations.isSuccess ? (
        <PagingControls
          noun="invitations"
          page={paging.page}
          shown={rows.length}
          hasNext={invitations.data.hasMore && Boolean(invitations.data.cursor)}
          limit={paging.limit}
          onPrevious={() => setSearch(previousPageSearch(search))}
          onNext={() => {
            const cursor = invitations.data.cursor;
            if (cursor) setSearch(nextPageSearch(search, cursor));
          }}
          onLimit={(limit) => setSearch(withPageSize(search, limit))}
        />
      ) : null}

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
