import { useRef, useState } from 'react';
import type { ReactNode } from 'react';
import AppBar from '@mui/material/AppBar';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Container from '@mui/material/Container';
import IconButton from '@mui/material/IconButton';
import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import Toolbar from '@mui/material/Toolbar';
import Typography from '@mui/material/Typography';
import { AccountMenu, SignOutButton, SignedInAs } from '../features/session/session-menu.tsx';
import { PRODUCT_NAME } from '../lib/document-title.ts';
import { NavLink, useLocation } from '../lib/routing.tsx';
import { MenuIcon } from '../components/icons.tsx';
import { ThemeToggle } from '../components/theme-toggle.tsx';
import { ModeBadge } from './mode-badge.tsx';
import { roleAllows } from '../../contract/session.ts';
import type { OperatorRole } from '../../contract/session.ts';
import { useSession } from '../lib/session-context.ts';

/** Each entry shows only to the roles that can use its screen. */
const NAV: readonly { to: string; label: string; end: boolean; role: OperatorRole }[] = [
  { to: '/', label: 'Invite', end: true, role: 'inviter' },
  { to: '/invite-many', label: 'Invite many', end: false, role: 'inviter' },
  { to: '/users', label: 'Users', end: false, role: 'viewer' },
  { to: '/invitations', label: 'Invitations', end: false, role: 'viewer' },
  { to: '/operators', label: 'Operators', end: false, role: 'administrator' },
  { to: '/activity', label: 'Activity', end: false, role: 'administrator' },
];

export const MAIN_ID = 'main-content';

const MENU_ID = 'app-menu';

/**
 * Name, mode and who is signed in always; navigation, theme and Sign out beside them from 600 px up. On a phone the
 * header stays one row (at most 64 px) and those three fold behind a Menu button (a disclosure: no popup to load),
 * which closes again on arrival at a screen or with Escape.
 */
function AppBarContent() {
  const { pathname } = useLocation();
  const role = useSession()?.operator.role;
  const nav = NAV.filter((item) => role !== undefined && roleAllows(role, item.role));
  const [open, setOpen] = useState(false);
  const menuButton = useRef<HTMLButtonElement>(null);
  // Arrival at another screen folds the menu (adjusted while rendering, so the new screen never shows it open).
  const [shownFor, setShownFor] = useState(pathname);
  if (shownFor !== pathname) {
    setShownFor(pathname);
    setOpen(false);
  }

  return (
    <Toolbar
      sx={(theme) => ({
        flexWrap: 'wrap',
        columnGap: 2,
        rowGap: 0.5,
        py: 1,
        [theme.breakpoints.down('sm')]: { columnGap: 0.5, pl: 0.5, pr: 1 },
      })}
      onKeyDown={(event) => {
        if (event.key === 'Escape' && open) {
          setOpen(false);
          menuButton.current?.focus();
        }
      }}
    >
      <IconButton
        ref={menuButton}
        color="inherit"
        aria-label="Menu"
        aria-expanded={open}
        aria-controls={MENU_ID}
        onClick={() => setOpen((was) => !was)}
        sx={(theme) => ({ display: 'none', [theme.breakpoints.down('sm')]: { display: 'inline-flex' } })}
      >
        <MenuIcon />
      </IconButton>
      {/* On a phone this part gives way first (the product name may end in "…"): the mode and who is signed in
          always show whole, on one row. */}
      <Stack
        direction="row"
        sx={(theme) => ({
          alignItems: 'center',
          columnGap: 1.5,
          flexGrow: 1,
          minWidth: 0,
          [theme.breakpoints.down('sm')]: { flexBasis: 0, columnGap: 1 },
        })}
      >
        <Typography
          component="p"
          variant="h6"
          sx={(theme) => ({
            fontWeight: 700,
            whiteSpace: 'nowrap',
            overflow: 'hidden',
            textOverflow: 'ellipsis',
            minWidth: 0,
            [theme.breakpoints.down('sm')]: { fontSize: '0.9375rem' },
          })}
        >
          {PRODUCT_NAME}
        </Typography>
        <ModeBadge />
      </Stack>
      <Box
        sx={(theme) => ({
          order: 1,
          minWidth: 0,
          display: 'flex',
          [theme.breakpoints.down('sm')]: { order: 0 },
        })}
      >
        <SignedInAs />
      </Box>
      <Box
        id={MENU_ID}
        sx={(theme) => ({
          display: 'contents',
          [theme.breakpoints.down('sm')]: {
            display: open ? 'flex' : 'none',
            flexDirection: 'column',
            alignItems: 'stretch',
            rowGap: 1,
            order: 3,
            width: '100%',
            pb: 1,
          },
        })}
      >
        <Box component="nav" aria-label="Main">
          <Stack
            component="ul"
            spacing={0.5}
            useFlexGap
            sx={(theme) => ({
              listStyle: 'none',
              m: 0,
              p: 0,
              flexDirection: 'row',
              flexWrap: 'wrap',
              [theme.breakpoints.down('sm')]: { flexDirection: 'column' },
            })}
          >
            {nav.map((item) => (
              <li key={item.to}>
                <Button
                  component={NavLink}
                  to={item.to}
                  end={item.end}
                  color="inherit"
                  sx={(theme) => ({
                    borderRadius: 1,
                    borderBottom: '3px solid transparent',
                    '&[aria-current="page"]': { borderBottomColor: 'currentColor' },
                    [theme.breakpoints.down('sm')]: { justifyContent: 'flex-start', width: '100%' },
                  })}
                >
                  {item.label}
                </Button>
              </li>
            ))}
          </Stack>
        </Box>
        <Stack direction="row" spacing={1} sx={{ alignItems: 'center', order: 2 }}>
          <ThemeToggle />
          <AccountMenu />
          <SignOutButton />
        </Stack>
      </Box>
    </Toolbar>
  );
}

/** The frame around every screen: skip link, app bar (name, mode, navigation, theme) and the main landmark. */
export function AppShell({ children, wide = false }: { children: ReactNode; wide?: boolean }) {
  return (
    <Box sx={{ minHeight: '100vh', display: 'flex', flexDirection: 'column', bgcolor: 'background.default' }}>
      <Link
        href={`#${MAIN_ID}`}
        sx={{
          position: 'absolute',
          left: 8,
          top: -48,
          zIndex: 'tooltip',
          p: 1,
          bgcolor: 'background.paper',
          color: 'primary.main',
          '&:focus': { top: 8 },
        }}
      >
        Skip to main content
      </Link>
      <AppBar position="static" color="primary" elevation={0}>
        <AppBarContent />
      </AppBar>
      <Container
        component="main"
        id={MAIN_ID}
        tabIndex={-1}
        maxWidth={wide ? 'xl' : 'md'}
        sx={{ py: { xs: 3, sm: 4 }, flexGrow: 1, outline: 'none' }}
      >
        {children}
      </Container>
    </Box>
  );
}

/** Screens built around a wide table get the whole width (their tables scroll inside themselves below that). */
const WIDE_SCREENS = /^\/(users|invitations|invite-many|activity)(\/|$)/;

export function AppLayout({ children }: { children: ReactNode }) {
  const { pathname } = useLocation();
  return <AppShell wide={WIDE_SCREENS.test(pathname)}>{children}</AppShell>;
}
