import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useSession } from '../../lib/session-context.ts';
import { useSignOut } from './api.ts';

/** Who is signed in, and the way out. In the app bar on every screen. */
export function SessionMenu() {
  const session = useSession();
  const signOut = useSignOut();
  if (!session) return null;
  const { operator } = session;
  return (
    <Stack direction="row" spacing={1} sx={{ alignItems: 'center', minWidth: 0 }}>
      <Typography
        variant="body2"
        title={operator.email}
        sx={{
          overflow: 'hidden',
          textOverflow: 'ellipsis',
          whiteSpace: 'nowrap',
          maxWidth: { xs: 120, sm: 200 },
        }}
      >
        <span>Signed in as </span>
        <strong>{operator.displayName}</strong>
      </Typography>
      <Button
        color="inherit"
        variant="outlined"
        size="small"
        onClick={() => signOut.mutate()}
        disabled={signOut.isPending}
      >
        Sign out
      </Button>
    </Stack>
  );
}
