import type { AppConfig } from '../../src/server/app.ts';
import { TEST_PASSWORD_COST } from '../../src/server/auth/password.ts';
import { TEST_OPERATOR } from './session.ts';

/**
 * What tests that build the app directly add to its config: an in-memory database whose first operator is
 * TEST_OPERATOR (hashed at the cheap test cost), and a per-operator /api limit no ordinary test reaches.
 */
export function testAppConfig(config: Omit<AppConfig, 'dataDir'> & { dataDir?: string }): AppConfig {
  return {
    dataDir: ':memory:',
    admin: { ...TEST_OPERATOR },
    ...config,
    security: {
      passwordCost: TEST_PASSWORD_COST,
      apiLimit: { requests: 100_000, windowMs: 60_000 },
      ...config.security,
    },
  };
}
