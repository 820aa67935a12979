/**
 * The operator of server and end-to-end tests. The stack creates TEST_OPERATOR at start (ADMIN_EMAIL/ADMIN_PASSWORD),
 * hashing at the cheap test cost, so signing in is fast. No Vitest here: benchmarks import it too.
 */
export const TEST_OPERATOR = {
  email: 'operator@clinic.test',
  password: 'correct horse battery staple',
} as const;
