import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { DirectoryPerson } from '../../../contract/directory.ts';
import type { CsvColumn } from '../../components/csv-export.tsx';
import { EmptyState } from '../../components/list-states.tsx';
import { PagedListBody, PagedListToolbar } from '../../components/paged-list.tsx';
import type { TsvColumn } from '../../components/selection-toolbar.tsx';
import { ScreenHeading } from '../../components/screen-heading.tsx';
import { useDocumentTitle } from '../../lib/document-title.ts';
import { directoryKeys } from '../../lib/query-keys.ts';
import { Link as RouterLink, useLocation, useNavigate, useParams } from '../../lib/routing.tsx';
import { usePagedList } from '../../lib/use-paged-list.ts';
import { DirectoryFreshnessLine } from '../person/directory-freshness.tsx';
import { invitedByText } from '../person/directory.ts';
import { statusText } from '../person/person-status.tsx';
import { listPeople } from './api.ts';
import { UserDetailsDrawer } from './user-details.tsx';
import { UsersFilters, hasUserFilters, readUserFilters } from './users-filters.tsx';
import { UsersTable } from './users-table.tsx';

const CSV_COLUMNS: readonly CsvColumn<DirectoryPerson>[] = [
  { header: 'userId', value: (p) => p.user.userId },
  { header: 'email', value: (p) => p.user.email },
  { header: 'firstName', value: (p) => p.user.firstName },
  { header: 'middleName', value: (p) => p.user.middleName },
  { header: 'lastName', value: (p) => p.user.lastName },
  { header: 'suffix1', value: (p) => p.user.suffix1 },
  { header: 'suffix2', value: (p) => p.user.suffix2 },
  { header: 'phoneNumber', value: (p) => p.user.phoneNumber },
  { header: 'clinicRole', value: (p) => p.user.clinicRole },
  { header: 'level', value: (p) => p.user.level },
  { header: 'hasDashboardAccess', value: (p) => p.user.hasDashboardAccess },
  { header: 'canManageStudies', value: (p) => p.user.canManageStudies },
  { header: 'status', value: (p) => statusText(p) },
  { header: 'invitedBy', value: (p) => invitedByText(p.invitedBy) },
  { header: 'invitedAt', value: (p) => p.invitedAt },
  { header: 'invitedSource', value: (p) => p.user.invitedSource },
  { header: 'createdAt', value: (p) => p.user.createdAt },
  { header: 'lastLoginAt', value: (p) => p.user.lastLoginAt },
];

const TSV_COLUMNS: readonly TsvColumn<DirectoryPerson>[] = [
  { header: 'email', value: (p) => p.user.email },
  { header: 'userId', value: (p) => p.user.userId },
];

const count = (n: number, one: string, many: string) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

/**
 * Users: everyone in the clinic from the directory, searched, filtered and sorted, a page at a time. All of it lives
 * in the address; a person's details open over the list at /users/:userId (the list's address kept, so closing
 * returns to it).
 */
export function UsersPage() {
  const { userId } = useParams();
  useDocumentTitle(userId === undefined ? 'Users' : 'User details');
  const navigate = useNavigate();
  const location = useLocation();
  const list = usePagedList({
    readFilters: readUserFilters,
    hasFilters: hasUserFilters,
    queryKey: directoryKeys.people,
    fetchPage: listPeople,
    rowsOf: (page) => page.people,
    rowKey: (person) => person.user.userId,
    // Page changes belong to the list: on a person's details they also close it (the list is what changes).
    pathname: '/users',
  });
  const data = list.result.data;

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
        Everyone in the clinic: find anyone by name, e-mail, phone or id, and see where they stand. Open a
        name for all their details and to change their access.
      </ScreenHeading>

      <UsersFilters filters={list.filters} onChange={list.setFilters} onClear={list.clearFilters} />
      <Stack spacing={0.5}>
        {data ? (
          <Typography role="status" aria-live="polite" sx={{ fontWeight: 600 }}>
            {count(data.total, 'person', 'people')} ·{' '}
            {count(data.neverSignedIn, 'never signed in', 'never signed in')}
          </Typography>
        ) : null}
        <DirectoryFreshnessLine freshness={data?.freshness} />
      </Stack>
      <PagedListToolbar list={list} noun="users" columns={CSV_COLUMNS} tsv={TSV_COLUMNS} />
      <PagedListBody
        list={list}
        noun="users"
        noMatches={{
          title: 'No one matches',
          hint: 'Check the spelling, try part of the name or e-mail, or search with fewer filters.',
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
          people={list.rows}
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
