import Chip from '@mui/material/Chip';
import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { User } from '../../../contract/users.ts';
import { DataTable } from '../../components/data-table.tsx';
import type { Column } from '../../components/data-table.tsx';
import { IdWithCopy } from '../../components/id-copy.tsx';
import { formatDateTime } from '../../lib/dates.ts';
import { Link as RouterLink } from '../../lib/routing.tsx';
import { EmailText } from '../person/email-text.tsx';
import { userPath } from '../person/paths.ts';
import { displayName, sourceLabel, userLevelLabel } from '../person/person-format.ts';
import { RecordedTime } from '../person/recorded-time.tsx';

/** "Never signed in" as words in an outlined chip (not a colour alone), or when they last did. */
export function LastSignIn({ at }: { at: string | null }) {
  if (at === null) {
    return <Chip size="small" variant="outlined" color="warning" label="Never signed in" />;
  }
  return <time dateTime={at}>{formatDateTime(at)}</time>;
}

export function AccessSummary({ user }: { user: Pick<User, 'hasDashboardAccess' | 'canManageStudies'> }) {
  return (
    <Stack spacing={0.25}>
      <Typography variant="body2">{user.hasDashboardAccess ? 'Dashboard: yes' : 'Dashboard: no'}</Typography>
      <Typography variant="body2">
        {user.canManageStudies ? 'Manages studies' : 'Reads studies only'}
      </Typography>
    </Stack>
  );
}

type UsersTableProps = {
  users: readonly User[];
  /** The list's address (filters and page), kept when a person's details open over it. */
  listSearch: string;
  selected: ReadonlySet<string>;
  onSelect: (users: readonly User[], selected: boolean) => void;
  busy: boolean;
};

/** The Users table: one row per person, the name opens their details, the userId copies in one click. */
export function UsersTable({ users, listSearch, selected, onSelect, busy }: UsersTableProps) {
  const title: Column<User> = {
    key: 'name',
    header: 'Name and email',
    minWidth: 200,
    render: (user) => (
      <Stack spacing={0.25} sx={{ minWidth: 0 }}>
        <Link
          component={RouterLink}
          to={{ pathname: userPath(user.userId), search: listSearch }}
          state={{ fromList: true }}
          sx={{ fontWeight: 600 }}
        >
          {displayName(user)}
        </Link>
        <Typography variant="body2" component="span" sx={{ color: 'text.secondary' }}>
          <EmailText email={user.email} />
        </Typography>
      </Stack>
    ),
  };
  const columns: Column<User>[] = [
    { key: 'role', header: 'Clinic role', minWidth: 120, render: (user) => user.clinicRole },
    { key: 'level', header: 'Level', nowrap: true, render: (user) => userLevelLabel(user.level) },
    { key: 'access', header: 'Access', nowrap: true, render: (user) => <AccessSummary user={user} /> },
    { key: 'source', header: 'Source', render: (user) => sourceLabel(user.invitedSource) },
    {
      key: 'created',
      header: 'Created',
      nowrap: true,
      render: (user) => <RecordedTime at={user.createdAt} show="date" />,
    },
    { key: 'last-sign-in', header: 'Last sign-in', render: (user) => <LastSignIn at={user.lastLoginAt} /> },
    {
      key: 'user-id',
      header: 'userId',
      minWidth: 200,
      render: (user) => <IdWithCopy value={user.userId} label="userId" of={displayName(user)} />,
    },
  ];
  return (
    <DataTable
      label="Users, newest first"
      rows={users}
      title={title}
      columns={columns}
      rowKey={(user) => user.userId}
      rowName={displayName}
      selected={selected}
      onSelect={onSelect}
      busy={busy}
    />
  );
}
