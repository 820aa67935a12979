import { useId, useState } from 'react';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { PasswordChangeFailure, PasswordChangeFields, usePasswordChangeForm } from './password-form.tsx';

const PASSWORD_CHANGED_TEXT = 'Password changed. Other sessions were signed out.';

/**
 * Change your own password, from the account menu. The server ends every other session of yours and gives this one a
 * new id; the dialog then says so and puts the focus on Done (closing returns it to the account menu's button).
 */
export function ChangePasswordDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const titleId = useId();
  const [changed, setChanged] = useState(false);
  const { control, submit, failure, pending } = usePasswordChangeForm(() => setChanged(true));

  return (
    <Dialog
      open={open}
      onClose={() => {
        if (!pending) onClose();
      }}
      aria-labelledby={titleId}
      maxWidth="xs"
      fullWidth
      slotProps={{ transition: { onExited: () => setChanged(false) } }}
    >
      <DialogTitle id={titleId}>Change your password</DialogTitle>
      {changed ? (
        <>
          <DialogContent>
            <Alert severity="success" role="status">
              {PASSWORD_CHANGED_TEXT}
            </Alert>
          </DialogContent>
          <DialogActions>
            <Button ref={(element) => element?.focus()} variant="contained" onClick={onClose}>
              Done
            </Button>
          </DialogActions>
        </>
      ) : (
        <Stack component="form" noValidate onSubmit={submit} aria-labelledby={titleId}>
          <DialogContent sx={{ pt: 0 }}>
            <Stack spacing={2.5}>
              <Typography color="text.secondary">
                You stay signed in here; every other browser signed in as you is signed out.
              </Typography>
              <PasswordChangeFailure failure={failure} />
              <PasswordChangeFields control={control} autoFocus />
            </Stack>
          </DialogContent>
          <DialogActions sx={{ flexWrap: 'wrap', gap: 1 }}>
            <Button onClick={onClose} disabled={pending}>
              Cancel
            </Button>
            <Button type="submit" variant="contained" loading={pending}>
              Change password
            </Button>
          </DialogActions>
        </Stack>
      )}
    </Dialog>
  );
}
