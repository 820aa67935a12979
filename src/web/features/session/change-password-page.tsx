import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useDocumentTitle } from '../../lib/document-title.ts';
import { SessionFrame } from './session-frame.tsx';
import { useSignOut } from './api.ts';
import { PasswordChangeFailure, PasswordChangeFields, usePasswordChangeForm } from './password-form.tsx';

/**
 * Choose a new password. Shown instead of every screen while the operator's password was set by someone else
 * (the first sign-in, or after a reset); the server refuses everything else until it is done.
 */
export function ChangePasswordPage({ displayName }: { displayName: string }) {
  useDocumentTitle('Choose a new password');
  const { control, submit, failure, pending } = usePasswordChangeForm();
  const signOut = useSignOut();

  return (
    <SessionFrame>
      <Stack component="form" noValidate onSubmit={submit} aria-labelledby="password-heading" spacing={3}>
        <Stack spacing={1}>
          <Typography id="password-heading" variant="h1">
            Choose a new password
          </Typography>
          <Typography color="text.secondary">
            Welcome, {displayName}. Your password was set by someone else, so choose your own before carrying
            on.
          </Typography>
        </Stack>
        <PasswordChangeFailure failure={failure} />
        <PasswordChangeFields control={control} autoFocus />
        <Button type="submit" variant="contained" size="large" disabled={pending}>
          {pending ? 'Saving…' : 'Save the new password'}
        </Button>
        <Button variant="text" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
          Sign out instead
        </Button>
      </Stack>
    </SessionFrame>
  );
}
