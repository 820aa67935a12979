import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Button from '@mui/material/Button';
import MuiLink from '@mui/material/Link';
import Typography from '@mui/material/Typography';
import type { SignInMethods } from '../../../contract/session.ts';
import { signInMethodsQueryOptions } from './sign-in-methods.ts';

/** Passwords only until the server says otherwise (what every server without single sign-on offers). */
const PASSWORD_ONLY: SignInMethods = { password: true, sso: null };

export function useSignInMethods(): SignInMethods {
  return useQuery(signInMethodsQueryOptions()).data ?? PASSWORD_ONLY;
}

type Notice = { severity: 'error' | 'warning' | 'info'; title: string; detail: string };

/** What the server meant by `/?sso=<reason>` when it sent the browser back here. */
function ssoNotice(reason: string, provider: string, password: boolean): Notice | null {
  switch (reason) {
    case 'unavailable':
      return {
        severity: 'warning',
        title: `${provider} cannot be reached right now.`,
        detail: password
          ? 'Try again in a few minutes, or sign in with your email and password below.'
          : 'Try again in a few minutes. If it persists, tell whoever runs Viewer Admin.',
      };
    case 'failed':
      return {
        severity: 'error',
        title: `Signing in with ${provider} did not work.`,
        detail: `The answer from ${provider} could not be checked. Try again; if it keeps happening, tell whoever runs Viewer Admin.`,
      };
    case 'expired':
      return {
        severity: 'warning',
        title: 'Signing in took too long, or was started in another browser.',
        detail: `Start again with "Sign in with ${provider}".`,
      };
    case 'cancelled':
      return { severity: 'info', title: `Signing in with ${provider} was cancelled.`, detail: '' };
    case 'email':
      return {
        severity: 'error',
        title: `${provider} did not give an email address for your account.`,
        detail: `Ask whoever runs ${provider} to send your email address to Viewer Admin.`,
      };
    case 'domain':
      return {
        severity: 'error',
        title: 'Your email address is not one this Viewer Admin accepts.',
        detail: `It must be in the clinic's domains, and verified by ${provider}. Ask an administrator if you should have access.`,
      };
    case 'group':
      return {
        severity: 'error',
        title: 'Your account is not in a group allowed to use Viewer Admin.',
        detail: `Ask an administrator to add you to the right group in ${provider}. Any other sessions of yours here have ended.`,
      };
    case 'disabled':
      return { severity: 'error', title: 'This account is disabled; ask an administrator.', detail: '' };
    case 'taken':
      return {
        severity: 'error',
        title: 'Another operator already uses this email address.',
        detail: `Ask an administrator. An operator who signs in with a password is joined to ${provider} only when ${provider} says the address is verified.`,
      };
    case 'audit':
      return {
        severity: 'error',
        title: 'The activity log cannot be written right now.',
        detail: 'Nobody was signed in, because every sign-in must be recorded. Try again shortly.',
      };
    case 'busy':
      return {
        severity: 'warning',
        title: 'Too many sign-ins were started from here.',
        detail: `Wait a minute, then start again with "Sign in with ${provider}".`,
      };
    case 'no-provider-sign-out':
      return {
        severity: 'info',
        title: `${provider} does not offer signing out from here.`,
        detail: `You are signed out of Viewer Admin. To sign out of ${provider} too, use its own page or close this browser.`,
      };
    default:
      return null;
  }
}

/** `?sso=` once, taken out of the address so a reload does not show it again. */
function useSsoReason(): string | null {
  const [reason] = useState(() => {
    const url = new URL(window.location.href);
    const value = url.searchParams.get('sso');
    if (value !== null) {
      url.searchParams.delete('sso');
      window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
    }
    return value;
  });
  return reason;
}

/**
 * The single sign-on part of the sign-in screen: why the provider sent the browser back (if it did), "Sign in with
 * <provider>", and after signing out, "Also sign out of <provider>" where the provider offers it.
 */
export function SsoSignIn({ methods, signedOut }: { methods: SignInMethods; signedOut: boolean }) {
  const reason = useSsoReason();
  const sso = methods.sso;
  if (!sso) return null;
  const notice = reason === null ? null : ssoNotice(reason, sso.providerName, methods.password);
  return (
    <>
      {notice ? (
        <Alert severity={notice.severity} role={notice.severity === 'error' ? 'alert' : 'status'}>
          <AlertTitle>{notice.title}</AlertTitle>
          {notice.detail}
        </Alert>
      ) : null}
      {signedOut && sso.providerSignOut ? (
        <Typography>
          <MuiLink href="/auth/sso/logout">Also sign out of {sso.providerName}</MuiLink>
        </Typography>
      ) : null}
      <Button href="/auth/sso/start" variant="contained" size="large">
        Sign in with {sso.providerName}
      </Button>
      {methods.password ? (
        <Typography variant="body2" color="text.secondary" align="center">
          or with your email and password
        </Typography>
      ) : null}
    </>
  );
}
