import { Component } from 'react';
import type { ErrorInfo, ReactNode } from 'react';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Button from '@mui/material/Button';

type State = { failed: boolean };

/**
 * Catches a screen that cannot be shown (most often: its code failed to download after an update), so the app bar
 * and navigation stay usable and the operator is told what to do.
 */
export class RouteErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { failed: false };

  static getDerivedStateFromError(): State {
    return { failed: true };
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    // Kept visible for whoever opens the console; the operator sees the message below.
    console.warn('A screen failed to render.', error, info.componentStack);
  }

  override render() {
    if (!this.state.failed) return this.props.children;
    return (
      <Alert
        severity="error"
        action={
          <Button color="inherit" variant="outlined" size="small" onClick={() => window.location.reload()}>
            Reload
          </Button>
        }
      >
        <AlertTitle>This screen could not be shown.</AlertTitle>
        The app may have been updated since this page was opened: reloading usually fixes it.
      </Alert>
    );
  }
}
