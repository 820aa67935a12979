import { useId, useState } from 'react';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { Operator, ResetPasswordResult } from '../../../contract/operators.ts';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { CopyIdButton } from '../../components/copy-id-button.tsx';
import { requestIdOf } from '../../components/request-id.tsx';
import { ApiError } from '../../lib/api-client.ts';
import { useResetOperatorPassword } from './api.ts';

function problemText(error: unknown): string {
  if (error instanceof ApiError) return error.problem.detail ?? error.problem.title;
  return 'Something went wrong. Try again.';
}

/** The one-time password, shown once; closing the dialog forgets it. */
function OneTimePasswordDialog({ result, onClose }: { result: ResetPasswordResult; onClose: () => void }) {
  const titleId = useId();
  const { operator, oneTimePassword } = result;
  return (
    <Dialog open onClose={onClose} aria-labelledby={titleId} maxWidth="sm" fullWidth>
      <DialogTitle id={titleId}>New one-time password for {operator.displayName}</DialogTitle>
      <DialogContent>
        <Stack spacing={1.5}>
          <Typography>
            Give it to {operator.displayName} ({operator.email}) in person or by phone. It is shown only now;
            they choose their own password when they next sign in. They have been signed out everywhere.
          </Typography>
          <Typography
            component="p"
            sx={{ fontFamily: 'monospace', fontSize: '1.1rem', wordBreak: 'break-all' }}
          >
            {oneTimePassword}
          </Typography>
          <CopyIdButton value={oneTimePassword} label="one-time password" />
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button variant="contained" onClick={onClose}>
          Done
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/** Reset another operator's password, after asking: they get a one-time password and are signed out everywhere. */
export function ResetPasswordAction({ operator }: { operator: Operator }) {
  const reset = useResetOperatorPassword();
  const [confirming, setConfirming] = useState(false);
  const [result, setResult] = useState<ResetPasswordResult | null>(null);

  const confirm = async () => {
    try {
      setResult(await reset.mutateAsync(operator.id));
      setConfirming(false);
    } catch {
      // Shown in the dialog, which stays open.
    }
  };

  return (
    <>
      <Button
        variant="outlined"
        onClick={() => {
          reset.reset();
          setConfirming(true);
        }}
        disabled={reset.isPending}
      >
        Reset password for {operator.displayName}
      </Button>
      <ConfirmDialog
        open={confirming}
        title={`Reset the password of ${operator.displayName}?`}
        confirmLabel="Reset password"
        destructive
        busy={reset.isPending}
        error={reset.isError ? problemText(reset.error) : null}
        errorRequestId={reset.isError ? requestIdOf(reset.error) : undefined}
        onConfirm={() => void confirm()}
        onCancel={() => setConfirming(false)}
      >
        Their current password stops working and they are signed out everywhere at once. You get a one-time
        password to give them; they choose their own when they next sign in.
      </ConfirmDialog>
      {result ? (
        <OneTimePasswordDialog
          result={result}
          onClose={() => {
            setResult(null);
            reset.reset();
          }}
        />
      ) : null}
    </>
  );
}
