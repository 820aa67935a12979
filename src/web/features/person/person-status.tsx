import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { PERSON_STATUS_LABELS } from '../../../contract/directory.ts';
import type { DirectoryPerson } from '../../../contract/directory.ts';
import { formatDate } from '../../lib/dates.ts';

type Status = Pick<DirectoryPerson, 'status' | 'statusSource' | 'accessRevoked'>;

/** The status in words with where it comes from: "Access revoked here by Dana Smith", else Avara's. */
export function statusText(person: Status): string {
  if (person.status === 'access-revoked' && person.accessRevoked) {
    return `Access revoked here by ${person.accessRevoked.by.name}`;
  }
  return PERSON_STATUS_LABELS[person.status];
}

/** Where the status comes from, for the details: "Access revoked here by Dana Smith on 2 Mar 2026", "From Avara". */
export function statusSourceText(person: Status): string {
  if (person.status === 'access-revoked' && person.accessRevoked) {
    return `Access revoked here by ${person.accessRevoked.by.name} on ${formatDate(person.accessRevoked.at)}`;
  }
  return person.statusSource === 'dashboard' ? 'From this dashboard’s records' : 'From Avara';
}

/** A table cell: the status, and the day access was revoked here when it was. */
export function PersonStatusCell({ person }: { person: Status }) {
  return (
    <Stack spacing={0.25}>
      <span>{statusText(person)}</span>
      {person.status === 'access-revoked' && person.accessRevoked ? (
        <Typography variant="body2" component="span" sx={{ color: 'text.secondary' }}>
          on <time dateTime={person.accessRevoked.at}>{formatDate(person.accessRevoked.at)}</time>
        </Typography>
      ) : null}
    </Stack>
  );
}
