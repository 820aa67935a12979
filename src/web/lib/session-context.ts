import { createContext, useContext } from 'react';
import type { Session } from '../../contract/session.ts';

/** The signed-in operator's session, provided by the session gate (features/session) around the app. */
export const SessionContext = createContext<Session | null>(null);

/** The signed-in operator's session (inside the gate it is always there). */
export function useSession(): Session | null {
  return useContext(SessionContext);
}
