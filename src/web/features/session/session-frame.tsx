import type { ReactNode } from 'react';
import AppBar from '@mui/material/AppBar';
import Box from '@mui/material/Box';
import Container from '@mui/material/Container';
import Paper from '@mui/material/Paper';
import Toolbar from '@mui/material/Toolbar';
import Typography from '@mui/material/Typography';
import { ThemeToggle } from '../../components/theme-toggle.tsx';
import { PRODUCT_NAME } from '../../lib/document-title.ts';

/** The plain frame of the sign-in and password screens: product name, theme toggle, one card. No navigation. */
export function SessionFrame({ children }: { children: ReactNode }) {
  return (
    <Box sx={{ minHeight: '100vh', display: 'flex', flexDirection: 'column', bgcolor: 'background.default' }}>
      <AppBar position="static" color="primary" elevation={0}>
        <Toolbar sx={{ columnGap: 2 }}>
          <Typography component="p" variant="h6" sx={{ fontWeight: 700, flexGrow: 1 }}>
            {PRODUCT_NAME}
          </Typography>
          <ThemeToggle />
        </Toolbar>
      </AppBar>
      <Container component="main" maxWidth="xs" sx={{ py: { xs: 3, sm: 6 }, flexGrow: 1 }}>
        <Paper variant="outlined" sx={{ p: { xs: 2, sm: 4 } }}>
          {children}
        </Paper>
      </Container>
    </Box>
  );
}
