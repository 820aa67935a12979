import { useState } from 'react';
import type { FormEvent } from 'react';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { RequestIdNote, requestIdOf } from '../../components/request-id.tsx';
import { SignInInputSchema } from '../../../contract/session.ts';
import type { SignInInput } from '../../../contract/session.ts';
import { FormTextField } from '../../components/form-fields.tsx';
import { ApiError } from '../../lib/api-client.ts';
import { useDocumentTitle } from '../../lib/document-title.ts';
import { SessionFrame } from './session-frame.tsx';
import { useSignIn } from './api.ts';
import { SsoSignIn, useSignInMethods } from './sso-sign-in.tsx';

/** Why the sign-in screen is showing, when there is more to say than "sign in". */
export type SignInReason = 'session-ended' | 'signed-out' | 'sign-out-unconfirmed';

type Failure = { title: string; detail: string };

function describeSignInFailure(error: unknown): Failure {
  if (error instanceof ApiError) {
    if (error.status === 401) {
      return { title: 'The email or password is not right.', detail: 'Check both and try again.' };
    }
    if (error.status === 403 && error.code === 'account-disabled') {
      return {
        title: 'This account is disabled; ask an administrator.',
        detail: 'An administrator can enable it again on the Operators screen.',
      };
    }
    if (error.status === 429) {
      const minutes = Math.max(1, Math.ceil((error.problem.retryAfter ?? 60) / 60));
      return {
        title: 'Signing in is paused after several wrong tries.',
        detail: `Try again in ${minutes} minute${minutes === 1 ? '' : 's'}, or ask another operator to reset your password.`,
      };
    }
    if (error.status === 0) return { title: error.problem.title, detail: error.problem.detail ?? '' };
  }
  return {
    title: 'Signing in did not work.',
    detail: 'Something went wrong in Viewer Admin. Try again in a moment.',
  };
}

/**
 * Sign in. Shown in place of any screen while nobody is signed in, at the same address: after signing in the
 * operator is where they were going (or where they were when their session ended).
 */
export function SignInPage({ reason = null }: { reason?: SignInReason | null }) {
  useDocumentTitle('Sign in');
  const { control, handleSubmit } = useForm<SignInInput, unknown, SignInInput>({
    resolver: zodResolver(SignInInputSchema),
    mode: 'onTouched',
    defaultValues: { email: '', password: '' },
  });
  const signIn = useSignIn();
  const methods = useSignInMethods();
  const [failure, setFailure] = useState<(Failure & { requestId: string | undefined }) | null>(null);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (signIn.isPending) return;
    setFailure(null);
    void handleSubmit(async (values) => {
      try {
        await signIn.mutateAsync(values);
      } catch (error) {
        setFailure({ ...describeSignInFailure(error), requestId: requestIdOf(error) });
      }
    })();
  };

  return (
    <SessionFrame>
      <Stack component="form" noValidate onSubmit={submit} aria-labelledby="sign-in-heading" spacing={3}>
        <Stack spacing={1}>
          <Typography id="sign-in-heading" variant="h1">
            Sign in
          </Typography>
          <Typography color="text.secondary">
            {reason === 'session-ended'
              ? 'Your session has ended. Sign in again to carry on where you were.'
              : methods.password
                ? 'Sign in with your Viewer Admin operator account.'
                : `Sign in with your ${methods.sso?.providerName ?? ''} account.`}
          </Typography>
        </Stack>
        {reason === 'signed-out' ? (
          <Alert severity="success" role="status">
            You have signed out. Nobody can use this browser as you until you sign in again.
          </Alert>
        ) : null}
        {reason === 'sign-out-unconfirmed' ? (
          <Alert severity="warning" role="status">
            <AlertTitle>Signed out of this screen only.</AlertTitle>
            Viewer Admin could not be reached to end your session. Close this browser to be sure, or sign in
            and sign out again when it is back.
          </Alert>
        ) : null}
        <SsoSignIn methods={methods} signedOut={reason === 'signed-out'} />
        {failure ? (
          <Alert severity="error" role="alert">
            <AlertTitle>{failure.title}</AlertTitle>
            {failure.detail}
            <RequestIdNote requestId={failure.requestId} />
          </Alert>
        ) : null}
        {methods.password ? (
          <>
            <FormTextField
              control={control}
              name="email"
              label="Email"
              type="email"
              required
              autoComplete="username"
              autoFocus
            />
            <FormTextField
              control={control}
              name="password"
              label="Password"
              type="password"
              required
              autoComplete="current-password"
            />
            <Button type="submit" variant="contained" size="large" disabled={signIn.isPending}>
              {signIn.isPending ? 'Signing in…' : 'Sign in'}
            </Button>
            <Typography variant="body2" color="text.secondary">
              Forgotten your password? Ask another operator, or whoever runs Viewer Admin, to reset it.
            </Typography>
          </>
        ) : null}
      </Stack>
    </SessionFrame>
  );
}
