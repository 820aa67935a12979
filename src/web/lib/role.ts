import { roleAllows } from '../../contract/session.ts';
import type { OperatorRole } from '../../contract/session.ts';
import { useSession } from './session-context.ts';

/** Whether the signed-in operator's role includes what needs `needed` (the BFF enforces it; this decides what is offered). */
export function useCan(needed: OperatorRole): boolean {
  const session = useSession();
  return session !== null && roleAllows(session.operator.role, needed);
}
