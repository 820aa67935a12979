import { createHash, randomBytes } from 'node:crypto';

/** Ids in the upstream's formats: a prefix and 32 lowercase hex characters. */
export type IdPrefix = 'usr' | 'inv' | 'msg';

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomBytes(16).toString('hex')}`;
}

/** A stable id derived from a seed text (used by the seed so the demo clinic keeps the same ids everywhere). */
export function stableId(prefix: IdPrefix, seed: string): string {
  return `${prefix}_${createHash('sha256').update(`${prefix}:${seed}`).digest('hex').slice(0, 32)}`;
}
