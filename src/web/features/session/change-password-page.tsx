import { useState } from 'react';
import type { FormEvent } from 'react';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import * as z from 'zod/mini';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { RequestIdNote, requestIdOf } from '../../components/request-id.tsx';
import { NewPasswordSchema, PASSWORD_MIN } from '../../../contract/session.ts';
import { FormTextField } from '../../components/form-fields.tsx';
import { ApiError } from '../../lib/api-client.ts';
import { useDocumentTitle } from '../../lib/document-title.ts';
import { SessionFrame } from './session-frame.tsx';
import { useChangePassword, useSignOut } from './api.ts';

const ChangePasswordFormSchema = z
  .object({
    currentPassword: z.string().check(z.minLength(1, 'Enter your current password.')),
    newPassword: NewPasswordSchema,
    confirmPassword: z.string(),
  })
  .check(
    z.refine((v) => v.newPassword !== v.currentPassword, {
      message: 'Choose a password different from the current one.',
      path: ['newPassword'],
    }),
    z.refine((v) => v.confirmPassword === v.newPassword, {
      message: 'This does not match the new password.',
      path: ['confirmPassword'],
    }),
  );
type ChangePasswordForm = z.infer<typeof ChangePasswordFormSchema>;

const FIELDS = ['currentPassword', 'newPassword'] as const;

/**
 * Choose a new password. Shown instead of every screen while the operator's password was set by someone else
 * (the first sign-in, or after a reset); the server refuses everything else until it is done.
 */
export function ChangePasswordPage({ displayName }: { displayName: string }) {
  useDocumentTitle('Choose a new password');
  const { control, handleSubmit, setError } = useForm<ChangePasswordForm>({
    resolver: zodResolver(ChangePasswordFormSchema),
    mode: 'onTouched',
    defaultValues: { currentPassword: '', newPassword: '', confirmPassword: '' },
  });
  const change = useChangePassword();
  const signOut = useSignOut();
  const [failure, setFailure] = useState<{ text: string; requestId: string | undefined } | null>(null);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (change.isPending) return;
    setFailure(null);
    void handleSubmit(async ({ currentPassword, newPassword }) => {
      try {
        await change.mutateAsync({ currentPassword, newPassword });
      } catch (error) {
        const fields = error instanceof ApiError ? (error.problem.errors ?? []) : [];
        const known = fields.filter((f) => (FIELDS as readonly string[]).includes(f.path));
        known.forEach((f, index) =>
          setError(
            f.path === 'currentPassword' ? 'currentPassword' : 'newPassword',
            { type: 'server', message: f.message },
            { shouldFocus: index === 0 },
          ),
        );
        if (known.length === 0) {
          setFailure({
            text:
              error instanceof ApiError
                ? (error.problem.detail ?? error.problem.title)
                : 'Try again in a moment.',
            requestId: requestIdOf(error),
          });
        }
      }
    })();
  };

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
        {failure ? (
          <Alert severity="error" role="alert">
            <AlertTitle>The password was not changed.</AlertTitle>
            {failure.text}
            <RequestIdNote requestId={failure.requestId} />
          </Alert>
        ) : null}
        <FormTextField
          control={control}
          name="currentPassword"
          label="Current password"
          type="password"
          required
          autoComplete="current-password"
          autoFocus
        />
        <FormTextField
          control={control}
          name="newPassword"
          label="New password"
          type="password"
          required
          autoComplete="new-password"
          hint={`At least ${PASSWORD_MIN} characters. A few unrelated words make a strong, memorable password.`}
        />
        <FormTextField
          control={control}
          name="confirmPassword"
          label="New password again"
          type="password"
          required
          autoComplete="new-password"
        />
        <Button type="submit" variant="contained" size="large" disabled={change.isPending}>
          {change.isPending ? 'Saving…' : 'Save the new password'}
        </Button>
        <Button variant="text" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
          Sign out instead
        </Button>
      </Stack>
    </SessionFrame>
  );
}
