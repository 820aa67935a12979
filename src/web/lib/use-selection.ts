import { useState } from 'react';

/**
 * Rows chosen with the checkboxes, remembered across pages (so a few people can be picked from several pages) and
 * forgotten when the filters change (`scope`): a selection never holds rows the current filter does not match.
 * Each selected row keeps what is copied from it, so rows from other pages need no new request.
 */
export function useSelection<Row, Copied>(
  scope: string,
  keyOf: (row: Row) => string,
  copy: (row: Row) => Copied,
) {
  const [state, setState] = useState<{ scope: string; rows: ReadonlyMap<string, Copied> }>(() => ({
    scope,
    rows: new Map(),
  }));
  const rows = state.scope === scope ? state.rows : new Map<string, Copied>();

  const select = (changed: readonly Row[], on: boolean) =>
    setState((previous) => {
      const next = new Map(previous.scope === scope ? previous.rows : []);
      for (const row of changed) {
        if (on) next.set(keyOf(row), copy(row));
        else next.delete(keyOf(row));
      }
      return { scope, rows: next };
    });

  return {
    keys: new Set(rows.keys()),
    selected: [...rows.values()],
    select,
    clear: () => setState({ scope, rows: new Map() }),
  };
}
