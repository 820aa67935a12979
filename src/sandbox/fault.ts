import * as z from 'zod/mini';

/**
 * The sandbox-only testing surface: fault specs (`/__sandbox/faults`), the request log (`/__sandbox/requests`) and
 * the outbox (`/__sandbox/outbox`). Tests in other rooms import these schemas to drive and read the sandbox.
 */

const FRAMING_HEADERS: readonly string[] = ['content-length', 'transfer-encoding', 'connection'];
const SHAPES = ['malformedJson', 'truncateBody', 'dropConnection', 'echoRequestHeaders'] as const;

/** One fault. It applies, in queue order, to the next `times` /v1 requests it matches. */
export const FaultSpecSchema = z
  .strictObject({
    /** HTTP method to match (any when absent), case-insensitive. */
    method: z.optional(z.string().check(z.regex(/^[A-Za-z]+$/, 'method is an HTTP method name.'))),
    /** Matches when the request path (without the query) starts with it; any /v1 path when absent. */
    path: z.optional(z.string().check(z.startsWith('/', 'path starts with /.'), z.maxLength(500))),
    /** How many matching requests it applies to (default 1). */
    times: z.optional(z.int().check(z.minimum(1), z.maximum(10_000))),
    /** Delay before answering (or, with afterHandling, after the real handler ran). */
    latencyMs: z.optional(z.int().check(z.minimum(0), z.maximum(120_000))),
    /** Answer with this status instead of the real answer. */
    status: z.optional(z.int().check(z.minimum(200), z.maximum(599))),
    /** Sent as the Retry-After header. */
    retryAfter: z.optional(
      z.string().check(z.regex(/^[\x20-\x7e]{1,100}$/, 'retryAfter is printable ASCII.')),
    ),
    /** Extra response headers for an answered fault (e.g. `x-should-retry`, `retry-after-ms`). */
    headers: z.optional(
      z.record(
        z.string().check(
          z.regex(/^[a-z0-9-]{1,64}$/, 'Header names: lower-case letters, digits and dashes.'),
          z.refine((name) => !FRAMING_HEADERS.includes(name), 'The sandbox sets the framing headers itself.'),
        ),
        z.string().check(z.regex(/^[\x20-\x7e]{0,200}$/, 'Header values are printable ASCII.')),
      ),
    ),
    /** Raw body for `status` (JSON content type when it parses as JSON, text/plain otherwise). */
    body: z.optional(z.string().check(z.maxLength(65_536))),
    /** Answer `status` (default 200) with a JSON content type and an unparseable body. */
    malformedJson: z.optional(z.boolean()),
    /** Declare a longer Content-Length than is sent, then close the socket. */
    truncateBody: z.optional(z.boolean()),
    /** Destroy the socket without answering. */
    dropConnection: z.optional(z.boolean()),
    /** Answer `status` (default 500) with a JSON body holding the request's headers, authorization included. */
    echoRequestHeaders: z.optional(z.boolean()),
    /** Run the real handler first (its effects happen), then apply the fault to its answer. */
    afterHandling: z.optional(z.boolean()),
  })
  .check(
    z.refine((spec) => SHAPES.filter((shape) => spec[shape] === true).length <= 1, {
      message: `Choose at most one of ${SHAPES.join(', ')}.`,
    }),
    z.refine(
      (spec) =>
        spec.latencyMs !== undefined ||
        spec.status !== undefined ||
        SHAPES.some((shape) => spec[shape] === true),
      { message: 'A fault needs latencyMs, status or one of the fault shapes.' },
    ),
    z.refine((spec) => spec.body === undefined || spec.status !== undefined, {
      message: 'body goes with status.',
      path: ['body'],
    }),
  );
export type FaultSpec = z.infer<typeof FaultSpecSchema>;

/** POST /__sandbox/faults takes one spec or a list of them. */
export const FaultRequestSchema = z.union([FaultSpecSchema, z.array(FaultSpecSchema).check(z.minLength(1))]);

export const QueuedFaultSchema = z.object({ ...FaultSpecSchema.shape, remaining: z.number() });
export type QueuedFault = z.infer<typeof QueuedFaultSchema>;

/** The answer of POST and GET /__sandbox/faults: the queue as it stands. */
export const FaultListSchema = z.object({ faults: z.array(QueuedFaultSchema) });
export type FaultList = z.infer<typeof FaultListSchema>;

/** What `echoRequestHeaders` answers with. */
export const EchoedHeadersSchema = z.object({
  message: z.string(),
  headers: z.record(z.string(), z.string()),
});

export const RequestLogEntrySchema = z.object({
  method: z.string(),
  /** Without the query string. */
  path: z.string(),
  /** The raw query string, without the `?` ('' when none). */
  query: z.string(),
  /** Lower-cased names, as received (authorization included). */
  headers: z.record(z.string(), z.string()),
  /** The parsed JSON body, or null (none, not JSON, or refused before parsing). */
  body: z.unknown(),
});
export type RequestLogEntry = z.infer<typeof RequestLogEntrySchema>;

/** GET /__sandbox/requests: every /v1 request received, oldest first. */
export const RequestLogSchema = z.object({ requests: z.array(RequestLogEntrySchema) });
export type RequestLogBody = z.infer<typeof RequestLogSchema>;

export const OutboxMessageSchema = z.object({
  id: z.string(),
  to: z.string(),
  subject: z.string(),
  text: z.string(),
  userId: z.string(),
  invitationId: z.string(),
  createdAt: z.string(),
});

/** GET /__sandbox/outbox: captured (never sent) e-mails, newest first. */
export const OutboxSchema = z.object({ messages: z.array(OutboxMessageSchema) });

/** The faults waiting to apply, consumed in order. */
export class FaultQueue {
  private faults: QueuedFault[] = [];

  add(specs: readonly FaultSpec[]): void {
    for (const spec of specs) this.faults.push({ ...spec, remaining: spec.times ?? 1 });
  }

  list(): QueuedFault[] {
    return this.faults.map((fault) => ({ ...fault }));
  }

  clear(): void {
    this.faults = [];
  }

  /** The first fault matching this request, counted as used (and dropped once used up). */
  take(method: string, path: string): QueuedFault | undefined {
    const index = this.faults.findIndex(
      (fault) =>
        (fault.method === undefined || fault.method.toUpperCase() === method.toUpperCase()) &&
        (fault.path === undefined || path.startsWith(fault.path)),
    );
    const fault = this.faults[index];
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    return { ...fault };
  }
}
