import { INVITE_CHECK_MAX } from '../../../contract/bulk.ts';
import type { InviteCheckResult } from '../../../contract/bulk.ts';
import { ApiError } from '../../lib/api-client.ts';
import { sleep } from '../../lib/sleep.ts';

/**
 * Looking e-mail addresses up through the BFF, politely: chunks of 50, at most two chunks at once however many
 * addresses are added while it runs, and a 429 waited out (its Retry-After) before the same chunk is asked again.
 */

export type LookupOutcome =
  { kind: 'known'; results: InviteCheckResult['results'] } | { kind: 'failed'; emails: readonly string[] };

export type AskChunk = (emails: string[], signal: AbortSignal) => Promise<InviteCheckResult>;

export const LOOKUP_CONCURRENCY = 2;
/** How many times one chunk is asked again after a 429 before its addresses are reported as not checked. */
const MAX_WAITS = 20;

export class LookupQueue {
  private readonly waiting: string[] = [];
  private running = 0;
  private readonly controller = new AbortController();

  constructor(
    private readonly ask: AskChunk,
    private readonly report: (outcome: LookupOutcome) => void,
    private readonly wait: (ms: number, signal: AbortSignal) => Promise<void> = sleep,
    private readonly chunkSize = INVITE_CHECK_MAX,
  ) {}

  /** Queue addresses to be looked up (each once per call: the caller adds only addresses it has not asked about). */
  add(emails: readonly string[]): void {
    this.waiting.push(...emails);
    this.pump();
  }

  /** Stop: nothing more is asked or reported. */
  close(): void {
    this.controller.abort();
  }

  private pump(): void {
    while (this.running < LOOKUP_CONCURRENCY && this.waiting.length > 0 && !this.controller.signal.aborted) {
      const chunk = this.waiting.splice(0, this.chunkSize);
      this.running += 1;
      void this.run(chunk).finally(() => {
        this.running -= 1;
        this.pump();
      });
    }
  }

  private async run(chunk: string[]): Promise<void> {
    const { signal } = this.controller;
    for (let waits = 0; ; waits += 1) {
      try {
        const answer = await this.ask(chunk, signal);
        if (!signal.aborted) this.report({ kind: 'known', results: answer.results });
        return;
      } catch (error) {
        if (signal.aborted) return;
        const busy = error instanceof ApiError && (error.status === 429 || error.status === 503);
        if (!busy || waits >= MAX_WAITS) {
          this.report({ kind: 'failed', emails: chunk });
          return;
        }
        const seconds = error.problem.retryAfter ?? 1;
        await this.wait(Math.max(seconds, 0.05) * 1000, signal);
        if (signal.aborted) return;
      }
    }
  }
}
