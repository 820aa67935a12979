import { Suspense, lazy, useState } from 'react';
import Button from '@mui/material/Button';
import Typography from '@mui/material/Typography';
import { useSession } from '../../lib/session-context.ts';
import { useSignOut } from './api.ts';

/**
 * Who is signed in, in the app bar on every screen. On a phone only the name shows (the header stays one row); the
 * e-mail is its title.
 */
export function SignedInAs() {
  const session = useSession();
  if (!session) return null;
  const { operator } = session;
  return (
    <Typography
      variant="body2"
      title={operator.email}
      sx={(theme) => ({
        overflow: 'hidden',
        textOverflow: 'ellipsis',
        whiteSpace: 'nowrap',
        minWidth: 0,
        maxWidth: 200,
        [theme.breakpoints.down('sm')]: { maxWidth: 150, fontSize: '0.8125rem' },
      })}
    >
      <Typography
        component="span"
        variant="inherit"
        sx={(theme) => ({ [theme.breakpoints.down('sm')]: { display: 'none' } })}
      >
        Signed in as{' '}
      </Typography>
      <strong>{operator.displayName}</strong>
    </Typography>
  );
}

/** The way out. The sign-in screen that follows says it happened. */
export function SignOutButton() {
  const session = useSession();
  const signOut = useSignOut();
  if (!session) return null;
  return (
    <Button
      color="inherit"
      variant="outlined"
      size="small"
      onClick={() => signOut.mutate()}
      disabled={signOut.isPending}
      sx={{ whiteSpace: 'nowrap' }}
    >
      Sign out
    </Button>
  );
}

const AccountMenuPopup = lazy(async () => ({
  default: (await import('./account-menu-popup.tsx')).AccountMenuPopup,
}));

const ACCOUNT_MENU_ID = 'account-menu';

/** The account menu: the operator's own settings (change password). Its popup loads when first opened. */
export function AccountMenu() {
  const session = useSession();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const [opened, setOpened] = useState(false);
  const [open, setOpen] = useState(false);
  if (!session) return null;
  return (
    <>
      <Button
        ref={setAnchor}
        color="inherit"
        size="small"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? ACCOUNT_MENU_ID : undefined}
        onClick={() => {
          setOpened(true);
          setOpen(true);
        }}
        sx={{ whiteSpace: 'nowrap' }}
      >
        Account
      </Button>
      {opened ? (
        <Suspense fallback={null}>
          <AccountMenuPopup
            anchor={anchor}
            menuId={ACCOUNT_MENU_ID}
            email={session.operator.email}
            open={open}
            onClose={() => setOpen(false)}
          />
        </Suspense>
      ) : null}
    </>
  );
}
