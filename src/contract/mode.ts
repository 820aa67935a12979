import * as z from 'zod/mini';

/** GET /api/mode: which upstream the BFF talks to. Never carries the key. */
export const ModeSchema = z.object({ mode: z.enum(['sandbox', 'live']) });
export type Mode = z.infer<typeof ModeSchema>;
