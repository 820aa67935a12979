import * as z from 'zod/mini';

/**
 * Opaque keyset cursors: base64url of a small JSON record naming the list it belongs to and the position of the
 * last row handed out (createdAt, then the insertion sequence, both descending). Never an offset, so rows inserted
 * while someone pages do not shift what they see next.
 */
export type CursorKind = 'users' | 'invitations';

export interface CursorPosition {
  createdAt: string;
  seq: number;
}

const CursorPayloadSchema = z.strictObject({
  k: z.enum(['users', 'invitations']),
  c: z.string().check(z.minLength(1), z.maxLength(64)),
  s: z.int().check(z.minimum(1)),
});

export function encodeCursor(kind: CursorKind, position: CursorPosition): string {
  const payload: z.infer<typeof CursorPayloadSchema> = { k: kind, c: position.createdAt, s: position.seq };
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

/** The position a cursor points at, or undefined when it is not one of ours (or belongs to the other list). */
export function decodeCursor(kind: CursorKind, cursor: string): CursorPosition | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = CursorPayloadSchema.safeParse(json);
  if (!parsed.success || parsed.data.k !== kind) return undefined;
  return { createdAt: parsed.data.c, seq: parsed.data.s };
}
