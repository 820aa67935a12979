import type { ReactNode } from 'react';
import AppBar from '@mui/material/AppBar';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Container from '@mui/material/Container';
import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import Toolbar from '@mui/material/Toolbar';
import Typography from '@mui/material/Typography';
import { SessionMenu } from '../features/session/session-menu.tsx';
import { PRODUCT_NAME } from '../lib/document-title.ts';
import { NavLink, useLocation } from '../lib/routing.tsx';
import { ThemeToggle } from '../components/theme-toggle.tsx';
import { ModeBadge } from './mode-badge.tsx';

const NAV = [
  { to: '/', label: 'Invite', end: true },
  { to: '/invite-many', label: 'Invite many', end: false },
  { to: '/users', label: 'Users', end: false },
  { to: '/invitations', label: 'Invitations', end: false },
  { to: '/operators', label: 'Operators', end: false },
  { to: '/activity', label: 'Activity', end: false },
] as const;

export const MAIN_ID = 'main-content';

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
        <Toolbar sx={{ flexWrap: 'wrap', columnGap: 2, rowGap: 0.5, py: 1 }}>
          <Stack direction="row" spacing={1.5} sx={{ alignItems: 'center', flexGrow: 1, minWidth: 0 }}>
            <Typography component="p" variant="h6" sx={{ fontWeight: 700, whiteSpace: 'nowrap' }}>
              {PRODUCT_NAME}
            </Typography>
            <ModeBadge />
          </Stack>
          <Box
            component="nav"
            aria-label="Main"
            sx={{ order: { xs: 3, sm: 0 }, width: { xs: '100%', sm: 'auto' } }}
          >
            <Stack
              component="ul"
              direction="row"
              spacing={0.5}
              useFlexGap
              sx={{ listStyle: 'none', m: 0, p: 0, flexWrap: 'wrap' }}
            >
              {NAV.map((item) => (
                <li key={item.to}>
                  <Button
                    component={NavLink}
                    to={item.to}
                    end={item.end}
                    color="inherit"
                    sx={{
                      borderRadius: 1,
                      borderBottom: '3px solid transparent',
                      '&[aria-current="page"]': { borderBottomColor: 'currentColor' },
                    }}
                  >
                    {item.label}
                  </Button>
                </li>
              ))}
            </Stack>
          </Box>
          <ThemeToggle />
          <SessionMenu />
        </Toolbar>
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
