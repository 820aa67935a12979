import * as z from 'zod/mini';

/**
 * The environment the BFF reads, parsed once (in src/main.ts). Blank values count as absent, so an empty
 * `AVARA_API_KEY=` in a .env file means sandbox mode. Error messages name the variable and never echo its value.
 */

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const wholeNumber = (name: string, min: number, max: number) =>
  z.coerce
    .number(`${name} must be a number.`)
    .check(
      z.int(`${name} must be a whole number.`),
      z.minimum(min, `${name} must be between ${min} and ${max}.`),
      z.maximum(max, `${name} must be between ${min} and ${max}.`),
    );

export const EnvSchema = z.object({
  AVARA_API_KEY: z.optional(z.string()),
  AVARA_BASE_URL: z._default(
    z.url({
      protocol: /^https?$/,
      error: 'AVARA_BASE_URL must be an http:// or https:// URL, like https://api.avarasoftware.com.',
    }),
    'https://api.avarasoftware.com',
  ),
  HOST: z._default(z.string().check(z.minLength(1)), '127.0.0.1'),
  PORT: z._default(wholeNumber('PORT', 0, 65535), 8080),
  DATA_DIR: z._default(z.string().check(z.minLength(1)), './.data'),
  UPSTREAM_TIMEOUT_MS: z._default(wholeNumber('UPSTREAM_TIMEOUT_MS', 100, 600_000), 15_000),
  LOG_LEVEL: z._default(z.enum(LOG_LEVELS, `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}.`), 'info'),
});

export type ServerConfig = z.output<typeof EnvSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(
      `Viewer Admin cannot start, the configuration is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}

/** Parse the process environment (or any record of strings). Throws ConfigError naming each bad variable. */
export function parseConfig(env: Readonly<Record<string, string | undefined>>): ServerConfig {
  const input: Record<string, string> = {};
  for (const name of Object.keys(EnvSchema.shape)) {
    const value = env[name]?.trim();
    if (value !== undefined && value !== '') input[name] = value;
  }
  const result = EnvSchema.safeParse(input);
  if (!result.success) {
    // Only our own messages and the variable's name: zod messages never include the input, but be explicit.
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const name = issue.path.map(String).join('.');
        return issue.message.includes(name) ? issue.message : `${name}: ${issue.message}`;
      }),
    );
  }
  return result.data;
}
