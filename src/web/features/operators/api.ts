import { useMutation, useQueryClient } from '@tanstack/react-query';
import {
  AddOperatorResultSchema,
  OperatorSchema,
  ResetPasswordResultSchema,
} from '../../../contract/operators.ts';
import type { AddOperatorInput } from '../../../contract/operators.ts';
import type { OperatorRole } from '../../../contract/session.ts';
import { api } from '../../lib/api-client.ts';
import { refreshAfterChange } from '../../lib/query-keys.ts';

function useRefreshAfterChange() {
  const queryClient = useQueryClient();
  return () => void refreshAfterChange(queryClient, 'operator');
}

/** POST /api/operators: the answer carries the first password, shown once. */
export function useAddOperator() {
  const refresh = useRefreshAfterChange();
  return useMutation({
    mutationKey: ['add-operator'],
    mutationFn: (input: AddOperatorInput) => api.post('/api/operators', input, AddOperatorResultSchema),
    onSuccess: refresh,
  });
}

export function useSetOperatorDisabled() {
  const refresh = useRefreshAfterChange();
  return useMutation({
    mutationKey: ['set-operator-disabled'],
    mutationFn: ({ id, disabled }: { id: string; disabled: boolean }) =>
      api.post(
        `/api/operators/${encodeURIComponent(id)}/${disabled ? 'disable' : 'enable'}`,
        {},
        OperatorSchema,
      ),
    onSettled: refresh,
  });
}

/** POST /api/operators/:id/reset-password: the answer carries a one-time password, shown once. */
export function useResetOperatorPassword() {
  const refresh = useRefreshAfterChange();
  return useMutation({
    mutationKey: ['reset-operator-password'],
    mutationFn: (id: string) =>
      api.post(`/api/operators/${encodeURIComponent(id)}/reset-password`, {}, ResetPasswordResultSchema),
    onSettled: refresh,
  });
}

/** POST /api/operators/:id/role. A refusal (the last active Administrator) comes back as the problem to show. */
export function useSetOperatorRole() {
  const refresh = useRefreshAfterChange();
  return useMutation({
    mutationKey: ['set-operator-role'],
    mutationFn: ({ id, role }: { id: string; role: OperatorRole }) =>
      api.post(`/api/operators/${encodeURIComponent(id)}/role`, { role }, OperatorSchema),
    onSettled: refresh,
  });
}
