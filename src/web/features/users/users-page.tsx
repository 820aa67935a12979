import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import type { User } from '../../../contract/users.ts';
import type { CsvColumn } from '../../components/csv-export.tsx';
import { EmptyState } from '../../components/list-states.tsx';
import { PagedListBody, PagedListToolbar } from '../../components/paged-list.tsx';
import { ScreenHeading } from '../../components/screen-heading.tsx';
import { useDocumentTitle } from '../../lib/document-title.ts';
import { userKeys } from '../../lib/query-keys.ts';
import { Link as RouterLink, useLocation, useNavigate, useParams } from '../../lib/routing.tsx';
import { usePagedList } from '../../lib/use-paged-list.ts';
import { listUsers } from './api.ts';
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
  const navigate = useNavigate();
  const location = useLocation();
  const list = usePagedList({
    readFilters: readUserFilters,
    hasFilters: hasUserFilters,
    queryKey: userKeys.list,
    fetchPage: listUsers,
    rowsOf: (page) => page.users,
    rowKey: (user) => user.userId,
    copy: (user) => ({ email: user.email, userId: user.userId }),
    // Page changes belong to the list: on a person's details they also close it (the list is what changes).
    pathname: '/users',
  });

  const closeDetails = () => {
    const state: unknown = location.state;
    const fromList = typeof state === 'object' && state !== null && Reflect.get(state, 'fromList') === true;
    // Opened from the list: Back to it (the list's scroll and focus come back). Opened from a link: to the list.
    if (fromList) navigate(-1);
    else navigate({ pathname: '/users', search: list.search.toString() }, { replace: true });
  };

  return (
    <Stack spacing={3}>
      <ScreenHeading title="Users">
        Everyone in the clinic, newest first. Open a name for all their details and to change their access.
      </ScreenHeading>

      <UsersFilters filters={list.filters} onChange={list.setFilters} onClear={list.clearFilters} />
      <PagedListToolbar list={list} noun="users" columns={CSV_COLUMNS} />
      <PagedListBody
        list={list}
        noun="users"
        noMatches={{
          title: 'No one matches these filters',
          hint: 'Check the spelling, or search with fewer filters.',
        }}
        empty={
          <EmptyState
            title="No one has been invited yet"
            action={
              <Button variant="contained" component={RouterLink} to="/">
                Invite a colleague
              </Button>
            }
          />
        }
      >
        <UsersTable
          users={list.rows}
          listSearch={list.search.toString()}
          selected={list.selection.keys}
          onSelect={list.selection.select}
          busy={list.result.isFetching}
        />
      </PagedListBody>

      <UserDetailsDrawer userId={userId} onClose={closeDetails} />
    </Stack>
  );
}
