import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { InviteUserInputSchema } from '../../../contract/users.ts';
import type { InviteUser, InviteUserInput } from '../../../contract/users.ts';
import type { BulkRow } from '../../../contract/bulk.ts';
import { problemSentence } from '../../components/list-states.tsx';
import { ApiError } from '../../lib/api-client.ts';
import { AccessFields } from '../person/access-fields.tsx';
import { isInviteField } from '../person/field-names.ts';
import { EmailAndPhoneFields, NameFields } from '../person/person-fields.tsx';
import { RoleField } from '../person/role-field.tsx';

/** The row's invite as the form's values (text fields are never undefined in the form). */
export function retryFormValues(invite: InviteUser): InviteUserInput {
  return {
    ...invite,
    middleName: invite.middleName ?? '',
    suffix1: invite.suffix1 ?? '',
    suffix2: invite.suffix2 ?? '',
    phoneNumber: invite.phoneNumber ?? '',
  };
}

type RetryDialogProps = {
  row: BulkRow & { invite: InviteUser };
  /** Send the corrected invite; rejects with the ApiError when it is refused. */
  retry: (invite: InviteUser) => Promise<unknown>;
  onDone: () => void;
  onCancel: () => void;
};

/**
 * A failed row, corrected in place: the invite's fields prefilled as they were sent, checked with the single invite's
 * schema, then sent again as that row of the batch. A refusal naming a field goes on that field.
 */
export function RetryRowDialog({ row, retry, onDone, onCancel }: RetryDialogProps) {
  const titleId = useId();
  const { control, handleSubmit, setError } = useForm<InviteUserInput, unknown, InviteUser>({
    resolver: zodResolver(InviteUserInputSchema),
    mode: 'onTouched',
    defaultValues: retryFormValues(row.invite),
  });
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  const send = async (invite: InviteUser) => {
    setBusy(true);
    setFailure(null);
    try {
      await retry(invite);
      onDone();
    } catch (error) {
      const fields =
        error instanceof ApiError
          ? (error.problem.errors ?? []).flatMap((field) => {
              const path = field.path.replace(/^invite\./, '');
              return isInviteField(path) ? [{ path, message: field.message }] : [];
            })
          : [];
      fields.forEach((field, index) =>
        setError(field.path, { type: 'server', message: field.message }, { shouldFocus: index === 0 }),
      );
      if (fields.length === 0) {
        setFailure(error instanceof ApiError ? problemSentence(error) : 'Something went wrong. Try again.');
      }
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (busy) return;
    void handleSubmit(send)();
  };

  return (
    <Dialog
      open
      onClose={() => {
        if (!busy) onCancel();
      }}
      aria-labelledby={titleId}
      maxWidth="md"
      fullWidth
    >
      <form noValidate onSubmit={submit} aria-labelledby={titleId}>
        <DialogTitle id={titleId}>Correct line {row.line} and send it again</DialogTitle>
        <DialogContent>
          <Stack spacing={2.5}>
            {row.message === null ? null : (
              <Alert severity="error">
                Why it failed: {row.message}
                {row.requestId === null ? null : ` (request id ${row.requestId})`}
              </Alert>
            )}
            <Typography variant="body2" color="text.secondary">
              Fields marked * are required.
            </Typography>
            <NameFields control={control} />
            <EmailAndPhoneFields control={control} />
            <RoleField control={control} />
            <AccessFields control={control} />
            {failure === null ? null : (
              <Alert severity="error" role="alert">
                {failure}
              </Alert>
            )}
          </Stack>
        </DialogContent>
        <DialogActions sx={{ flexWrap: 'wrap', gap: 1 }}>
          <Button onClick={onCancel} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" variant="contained" loading={busy}>
            Send again
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
