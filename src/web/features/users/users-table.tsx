import Chip from '@mui/material/Chip';
import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { DirectoryPerson } from '../../../contract/directory.ts';
import { DataTable } from '../../components/data-table.tsx';
import type { Column } from '../../components/data-table.tsx';
import { IdCell, TruncatedText } from '../../components/truncated-text.tsx';
import { formatDateTime } from '../../lib/dates.ts';
import { Link as RouterLink } from '../../lib/routing.tsx';
import { invitedByText } from '../person/directory.ts';
import { userPath } from '../person/paths.ts';
import { displayName, userLevelLabel } from '../person/person-format.ts';
import { PersonStatusCell } from '../person/person-status.tsx';
import { RecordedTime } from '../person/recorded-time.tsx';

/** "Never signed in" as words in an outlined chip (not a colour alone), or when they last did. */
export function LastSignIn({ at }: { at: string | null }) {
  if (at === null) {
    return <Chip size="small" variant="outlined" color="warning" label="Never signed in" />;
  }
  return <time dateTime={at}>{formatDateTime(at)}</time>;
}

type UsersTableProps = {
  people: readonly DirectoryPerson[];
  /** The list's address (search, filters and page), kept when a person's details open over it. */
  listSearch: string;
  selected: ReadonlySet<string>;
  onSelect: (people: readonly DirectoryPerson[], selected: boolean) => void;
  busy: boolean;
};

const nameOf = (person: DirectoryPerson) => displayName(person.user);

/** The Users table: one row per person, the name opens their details, e-mails and ids one line each. */
export function UsersTable({ people, listSearch, selected, onSelect, busy }: UsersTableProps) {
  const title: Column<DirectoryPerson> = {
    key: 'name',
    header: 'Name',
    minWidth: 160,
    render: (person) => (
      <Link
        component={RouterLink}
        to={{ pathname: userPath(person.user.userId), search: listSearch }}
        state={{ fromList: true }}
        sx={{ fontWeight: 600 }}
      >
        {nameOf(person)}
      </Link>
    ),
  };
  const columns: Column<DirectoryPerson>[] = [
    { key: 'email', header: 'E-mail', render: (person) => <TruncatedText value={person.user.email} /> },
    {
      key: 'role',
      header: 'Role and level',
      minWidth: 120,
      render: ({ user }) => (
        <Stack spacing={0.25}>
          <span>{user.clinicRole}</span>
          <Typography variant="body2" component="span" sx={{ color: 'text.secondary' }}>
            {userLevelLabel(user.level)}
          </Typography>
        </Stack>
      ),
    },
    {
      key: 'status',
      header: 'Status',
      minWidth: 130,
      render: (person) => <PersonStatusCell person={person} />,
    },
    {
      key: 'invited-by',
      header: 'Invited by',
      minWidth: 110,
      render: (person) => (
        <Stack spacing={0.25}>
          <span>{invitedByText(person.invitedBy)}</span>
          <Typography variant="body2" component="span" sx={{ color: 'text.secondary' }}>
            <RecordedTime at={person.invitedAt} show="date" />
          </Typography>
        </Stack>
      ),
    },
    {
      key: 'last-sign-in',
      header: 'Last sign-in',
      render: (person) => <LastSignIn at={person.user.lastLoginAt} />,
    },
    {
      key: 'user-id',
      header: 'userId',
      render: (person) => <IdCell value={person.user.userId} label="userId" of={nameOf(person)} />,
    },
  ];
  return (
    <DataTable
      label="Users"
      rows={people}
      title={title}
      columns={columns}
      rowKey={(person) => person.user.userId}
      rowName={nameOf}
      selected={selected}
      onSelect={onSelect}
      busy={busy}
    />
  );
}
