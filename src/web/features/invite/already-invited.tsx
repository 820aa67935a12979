import { useQuery } from '@tanstack/react-query';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { CopyIdButton } from '../../components/copy-id-button.tsx';
import { MONOSPACE } from '../../components/id-copy.tsx';
import { RequestIdNote } from '../../components/request-id.tsx';
import { Link as RouterLink } from '../../lib/routing.tsx';
import { userPath } from '../person/paths.ts';
import { personWithEmailQueryOptions } from './api.ts';

/**
 * The address is already someone's: a link to that person in Users and their userId to copy. The server names them
 * when it can; otherwise they are looked up by e-mail here.
 */
export function AlreadyInvited({
  email,
  userId,
  requestId,
}: {
  email: string;
  userId: string | undefined;
  requestId: string | undefined;
}) {
  const lookup = useQuery({ ...personWithEmailQueryOptions(email), enabled: userId === undefined });
  const found = userId ?? lookup.data?.userId;

  let body;
  if (found !== undefined) {
    body = (
      <Stack spacing={1}>
        <Link component={RouterLink} to={userPath(found)}>
          See them in Users
        </Link>
        <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap', rowGap: 1 }}>
          <Typography variant="body2" component="span">
            Their userId:{' '}
            <Typography component="code" variant="body2" sx={{ fontFamily: MONOSPACE }}>
              {found}
            </Typography>
          </Typography>
          <CopyIdButton value={found} />
        </Stack>
      </Stack>
    );
  } else if (lookup.isFetching) {
    body = <Typography variant="body2">Looking them up…</Typography>;
  } else {
    body = (
      <Link component={RouterLink} to={`/users?${new URLSearchParams({ email }).toString()}`}>
        Find them in Users
      </Link>
    );
  }

  return (
    <Alert severity="warning" role="region" aria-label="Already in the clinic">
      <AlertTitle>{email} is already in the clinic.</AlertTitle>
      {body}
      <RequestIdNote requestId={requestId} />
    </Alert>
  );
}
