import { describe, expect, it } from 'vitest';
import { STORE_BACKENDS } from '../../support/store-backends.ts';

describe.each(STORE_BACKENDS)('the $name store', (backend) => {
  it('answers a ping once open, says which database it is, and closes', async () => {
    const store = await backend.open();
    await expect(store.ping()).resolves.toBeUndefined();
    expect(store.kind).toBe(backend.name === 'SQLite' ? 'sqlite' : 'postgres');
    await store.close();
    await expect(store.ping()).rejects.toThrow();
  });
});
