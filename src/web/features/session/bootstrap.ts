import type { QueryClient } from '@tanstack/react-query';
import { SHELL_BOOTSTRAP_ELEMENT_ID, ShellBootstrapSchema } from '../../../contract/session.ts';
import type { ShellBootstrap } from '../../../contract/session.ts';
import { currentSessionQueryOptions, modeQueryOptions } from './api.ts';
import { signInMethodsQueryOptions } from './sign-in-methods.ts';

/**
 * What the server wrote into the page about who is signed in, or undefined when it wrote nothing (Vite's dev server,
 * a session store that could not answer) or something this app does not understand.
 */
export function readShellBootstrap(doc: Document = document): ShellBootstrap | undefined {
  const text = doc.getElementById(SHELL_BOOTSTRAP_ELEMENT_ID)?.textContent?.trim();
  if (!text) return undefined;
  try {
    const parsed = ShellBootstrapSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Fill the session (and mode) queries before the first render: from the page when the server wrote them there, so the
 * landing screen renders at once; otherwise by asking the API while the landing screen's code loads.
 */
export function startSessionQueries(queryClient: QueryClient, bootstrap = readShellBootstrap()): void {
  if (bootstrap !== undefined) {
    queryClient.setQueryData(currentSessionQueryOptions().queryKey, bootstrap.session);
    if (bootstrap.mode !== null) queryClient.setQueryData(modeQueryOptions().queryKey, bootstrap.mode);
    // A shell without sign-in methods comes from a server without single sign-on: passwords only.
    queryClient.setQueryData(
      signInMethodsQueryOptions().queryKey,
      bootstrap.signIn ?? { password: true, sso: null },
    );
    return;
  }
  void queryClient.prefetchQuery(currentSessionQueryOptions()).then(() => {
    if (queryClient.getQueryData(currentSessionQueryOptions().queryKey))
      void queryClient.prefetchQuery(modeQueryOptions());
  });
}
