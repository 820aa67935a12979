import { useQuery } from '@tanstack/react-query';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import LinearProgress from '@mui/material/LinearProgress';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { User } from '../../../contract/users.ts';
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
  firstPageSearch,
  nextPageSearch,
  previousPageSearch,
  readPaging,
  withFilters,
  withPageSize,
} from '../../lib/list-url.ts';
import {
  Link as RouterLink,
  useLocation,
  useNavigate,
  useParams,
  useSearchParams,
} from '../../lib/routing.tsx';
import { useSelection } from '../../lib/use-selection.ts';
import { listUsers, usersQueryOptions } from './api.ts';
import { UserDetailsDrawer } from './user-details.tsx';
import { UsersFilters, hasUserFilters, readUserFilters } from './users-filters.tsx';
import { UsersTable } from './users-table.tsx';

const CSV_COLUMNS: readonly CsvColumn<User>[] = [
  { header: 'userId', value: (u) => u.userId },
  { header: 'email', value: (u) => u.email },
  { header: 'firstName', value: (u) => u.firstName },
  { header: 'middleName', value: (u) => u.middleName },
  { header: 'lastName', value: (u) => u.lastName },
  { header: 'suffix1', value: (u) => u.suffix1 },
  { header: 'suffix2', value: (u) => u.suffix2 },
  { header: 'phoneNumber', value: (u) => u.phoneNumber },
  { header: 'clinicRole', value: (u) => u.clinicRole },
  { header: 'level', value: (u) => u.level },
  { header: 'hasDashboardAccess', value: (u) => u.hasDashboardAccess },
  { header: 'canManageStudies', value: (u) => u.canManageStudies },
  { header: 'invitedSource', value: (u) => u.invitedSource },
  { header: 'createdAt', value: (u) => u.createdAt },
  { header: 'lastLoginAt', value: (u) => u.lastLoginAt },
];

/**
 * Users: everyone in the clinic, newest first, a page at a time. Filters, page size and page live in the address;
 * a person's details open over the list at /users/:userId (the list's address kept, so closing returns to it).
 */
export function UsersPage() {
  const { userId } = useParams();
  useDocumentTitle(userId === undefined ? 'Users' : 'User details');
  const [search] = useSearchParams();
  const navigate = useNavigate();
  const location = useLocation();
  const filters = readUserFilters(search);
  const paging = readPaging(search);
  const query = {
    ...filters,
    limit: paging.limit,
    ...(paging.cursor === undefined ? {} : { cursor: paging.cursor }),
  };
  const users = useQuery(usersQueryOptions(query));
  const filterScope = JSON.stringify(filters);
  const selection = useSelection<User, SelectedPerson>(
    filterScope,
    (user) => user.userId,
    (user) => ({ email: user.email, userId: user.userId }),
  );
  const rows = users.data?.users ?? [];
  const filtered = hasUserFilters(filters);
  // Page changes belong to the list: on a person's details they also close it (the list is what changes).
  const go = (next: URLSearchParams) => navigate({ pathname: '/users', search: next.toString() });
  const clear = () => go(clearedSearch(search));
  const staleCursor =
    users.isError &&
    users.error.status === 400 &&
    (users.error.problem.errors ?? []).some((e) => e.path === 'cursor');

  const closeDetails = () => {
    const state: unknown = location.state;
    const fromList = typeof state === 'object' && state !== null && Reflect.get(state, 'fromList') === true;
    // Opened from the list: Back to it (the list's scroll and focus come back). Opened from a link: to the list.
    if (fromList) navigate(-1);
    else navigate({ pathname: '/users', search: search.toString() }, { replace: true });
  };

  return (
    <Stack spacing={3}>
      <Stack spacing={1}>
        <Typography variant="h1">Users</Typography>
        <Typography color="text.secondary">
          Everyone in the clinic, newest first. Open a name for all their details and to change their access.
        </Typography>
      </Stack>

      <UsersFilters
        filters={filters}
        onChange={(changes) => go(withFilters(search, changes))}
        onClear={clear}
      />

      <Stack
        direction={{ xs: 'column', md: 'row' }}
        spacing={2}
        sx={{ justifyContent: 'space-between', alignItems: { md: 'flex-start' } }}
      >
        <SelectionToolbar selected={selection.selected} onClear={selection.clear} />
        <CsvExport
          noun="users"
          columns={CSV_COLUMNS}
          fileName={() => `users-${localDateStamp()}`}
          fetchPage={async (cursor, signal) => {
            const page = await listUsers(
              { ...filters, limit: EXPORT_PAGE_SIZE, ...(cursor === undefined ? {} : { cursor }) },
              signal,
            );
            return { rows: page.users, cursor: page.cursor, hasMore: page.hasMore };
          }}
        />
      </Stack>

      {users.isPending ? <ListSkeleton label="Loading users…" /> : null}
      {staleCursor ? (
        <Alert
          severity="warning"
          action={
            <Button
              color="inherit"
              size="small"
              variant="outlined"
              onClick={() => go(firstPageSearch(search))}
            >
              First page
            </Button>
          }
        >
          That page link is no longer valid. Start again from the first page.
        </Alert>
      ) : users.isError ? (
        <ErrorState
          title="The users could not be loaded."
          error={users.error}
          onRetry={() => void users.refetch()}
          retrying={users.isFetching}
        />
      ) : null}
      {users.isSuccess && rows.length === 0 ? (
        filtered || paging.page > 1 ? (
          <EmptyState
            title="No one matches these filters"
            action={
              <Button variant="contained" onClick={clear}>
                Clear filters
              </Button>
            }
          >
            Check the spelling, or search with fewer filters.
          </EmptyState>
        ) : (
          <EmptyState
            title="No one has been invited yet"
            action={
              <Button variant="contained" component={RouterLink} to="/">
                Invite a colleague
              </Button>
            }
          />
        )
      ) : null}
      {rows.length > 0 ? (
        <Stack spacing={1}>
          {users.isFetching ? <LinearProgress aria-label="Loading users" /> : null}
          <UsersTable
            users={rows}
            listSearch={search.toString()}
            selected={selection.keys}
            onSelect={selection.select}
            busy={users.isFetching}
          />
        </Stack>
      ) : null}
      {users.isSuccess ? (
        <PagingControls
          noun="users"
          page={paging.page}
          shown={rows.length}
          hasNext={users.data.hasMore && Boolean(users.data.cursor)}
          limit={paging.limit}
          onPrevious={() => go(previousPageSearch(search))}
          onNext={() => {
            const cursor = users.data.cursor;
            if (cursor) go(nextPageSearch(search, cursor));
          }}
          onLimit={(limit) => go(withPageSize(search, limit))}
        />
      ) : null}

      <UserDetailsDrawer userId={userId} onClose={closeDetails} />
    </Stack>
  );
}
