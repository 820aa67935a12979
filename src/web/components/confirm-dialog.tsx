import { useId, useRef } from 'react';
import type { ReactNode } from 'react';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { RequestIdNote } from './request-id.tsx';

type ConfirmDialogProps = {
  open: boolean;
  /** A question that names the person: "Revoke access for Sarah M. Johnson?" */
  title: string;
  /** What will happen, in plain words. */
  children: ReactNode;
  confirmLabel: string;
  /** A change that takes something away: the confirm button is red. */
  destructive?: boolean;
  busy?: boolean;
  /** Why the last attempt failed (shown in the dialog, which stays open). */
  error?: string | null | undefined;
  /** The failed request's id, shown with the error to quote. */
  errorRequestId?: string | undefined;
  onConfirm: () => void;
  onCancel: () => void;
};

/**
 * Asks before a change. Focus starts on Cancel, so Enter or Space pressed by habit never confirms; Escape cancels.
 * While the change is being sent the dialog cannot be dismissed and confirm cannot be pressed twice.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  destructive = false,
  busy = false,
  error,
  errorRequestId,
  onConfirm,
  onCancel,
}: ConfirmDialogProps) {
  const titleId = useId();
  const bodyId = useId();
  const cancel = useRef<HTMLButtonElement>(null);
  return (
    <Dialog
      open={open}
      onClose={() => {
        if (!busy) onCancel();
      }}
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      maxWidth="sm"
      fullWidth
      // Cancel takes the focus as the dialog appears (the dialog's own focus trap would otherwise focus its frame).
      slotProps={{ transition: { onEntering: () => cancel.current?.focus() } }}
    >
      <DialogTitle id={titleId}>{title}</DialogTitle>
      <DialogContent>
        <Stack spacing={2}>
          <Typography component="div" id={bodyId}>
            {children}
          </Typography>
          {error ? (
            <Alert severity="error" role="alert">
              {error}
              <RequestIdNote requestId={errorRequestId} />
            </Alert>
          ) : null}
        </Stack>
      </DialogContent>
      <DialogActions sx={{ flexWrap: 'wrap', gap: 1 }}>
        <Button ref={cancel} onClick={onCancel} disabled={busy}>
          Cancel
        </Button>
        <Button
          variant="contained"
          color={destructive ? 'error' : 'primary'}
          onClick={() => {
            if (!busy) onConfirm();
          }}
          loading={busy}
        >
          {confirmLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
