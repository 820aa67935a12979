import type { SandboxStore } from './store.ts';

/** What every sandbox route needs: the database and the clock. */
export interface SandboxContext {
  store: SandboxStore;
  now: () => Date;
}
