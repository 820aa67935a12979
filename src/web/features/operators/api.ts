import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { AddOperatorResultSchema, OperatorListSchema, OperatorSchema } from '../../../contract/operators.ts';
import type { AddOperatorInput } from '../../../contract/operators.ts';
import { api } from '../../lib/api-client.ts';
import { auditKeys } from '../activity/api.ts';

export const operatorKeys = {
  all: ['operators'] as const,
  list: () => [...operatorKeys.all, 'list'] as const,
};

export const operatorsQueryOptions = () =>
  queryOptions({
    queryKey: operatorKeys.list(),
    queryFn: ({ signal }) => api.get('/api/operators', OperatorListSchema, signal),
  });

export function useOperators() {
  return useQuery(operatorsQueryOptions());
}

function useRefreshAfterChange() {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: operatorKeys.all });
    void queryClient.invalidateQueries({ queryKey: auditKeys.all });
  };
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
