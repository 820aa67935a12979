import * as z from 'zod/mini';

/**
 * An upstream (Avara) error body. Only `message` is common and nothing is guaranteed, so this is parsed
 * defensively: anything unparseable is treated as "no detail". The sandbox answers in this shape.
 */
export const AvaraErrorBodySchema = z.looseObject({
  message: z.optional(z.string()),
  code: z.optional(z.string()),
  errors: z.optional(
    z.array(
      z.looseObject({
        path: z.optional(z.string()),
        field: z.optional(z.string()),
        message: z.optional(z.string()),
      }),
    ),
  ),
});
export type AvaraErrorBody = z.infer<typeof AvaraErrorBodySchema>;

/** The `code` the sandbox puts on a duplicate-email conflict (the real upstream's is unknown). */
export const EMAIL_TAKEN_CODE = 'email_taken';
