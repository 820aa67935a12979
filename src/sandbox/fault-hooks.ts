import { STATUS_CODES } from 'node:http';
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { QueuedFault } from './fault.ts';
import { flattenHeaders } from './request-log.ts';

/** How a fault shapes the answer. Transport faults (drop, truncate) are handled apart. */
interface FaultAnswer {
  status: number;
  contentType: string;
  body: string;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const MALFORMED_JSON = '{"message": "This answer was cut by a sandbox fault", "users": [{"userId": ';
const DEFAULT_TRUNCATED = JSON.stringify({ message: 'This answer was cut short by a sandbox fault.' });

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function answerOf(fault: QueuedFault, request: FastifyRequest): FaultAnswer | undefined {
  if (fault.malformedJson)
    return { status: fault.status ?? 200, contentType: JSON_TYPE, body: MALFORMED_JSON };
  if (fault.echoRequestHeaders) {
    return {
      status: fault.status ?? 500,
      contentType: JSON_TYPE,
      body: JSON.stringify({
        message: 'Sandbox fault: echoing the request headers.',
        headers: flattenHeaders(request.headers),
      }),
    };
  }
  if (fault.status !== undefined) {
    const body = fault.body ?? JSON.stringify({ message: STATUS_CODES[fault.status] ?? 'Sandbox fault' });
    return {
      status: fault.status,
      contentType: isJson(body) ? JSON_TYPE : 'text/plain; charset=utf-8',
      body,
    };
  }
  return undefined;
}

function shape(reply: FastifyReply, fault: QueuedFault, answer: FaultAnswer): void {
  reply.code(answer.status).header('content-type', answer.contentType);
  for (const [name, value] of Object.entries(fault.headers ?? {})) reply.header(name, value);
  if (fault.retryAfter !== undefined) reply.header('retry-after', fault.retryAfter);
}

/**
 * Declare the whole body's length, send only its first half, then close the socket: the client sees a
 * response that ends early. Returns the stream to send as the payload.
 */
function truncated(request: FastifyRequest, reply: FastifyReply, status: number, body: string): Readable {
  const bytes = Buffer.from(body, 'utf8');
  const cut = Math.max(0, Math.min(bytes.length - 1, Math.floor(bytes.length / 2)));
  reply.code(status).header('content-type', JSON_TYPE).header('content-length', String(bytes.length));
  reply.raw.once('finish', () => request.raw.socket.destroy());
  return Readable.from([bytes.subarray(0, cut)]);
}

function payloadText(payload: unknown): string {
  if (typeof payload === 'string') return payload;
  if (Buffer.isBuffer(payload)) return payload.toString('utf8');
  return DEFAULT_TRUNCATED;
}

/** Apply a fault before the real handler runs. Returns true when the fault answered (or dropped) the request. */
export async function applyFaultBefore(
  fault: QueuedFault,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<boolean> {
  if (fault.latencyMs !== undefined) await sleep(fault.latencyMs);
  if (fault.dropConnection) {
    reply.hijack();
    request.raw.socket.destroy();
    return true;
  }
  if (fault.truncateBody) {
    await reply.send(truncated(request, reply, fault.status ?? 200, fault.body ?? DEFAULT_TRUNCATED));
    return true;
  }
  const answer = answerOf(fault, request);
  if (!answer) return false;
  shape(reply, fault, answer);
  await reply.send(answer.body);
  return true;
}

/** Apply a fault to the real handler's answer (its side effects already happened). Returns the payload to send. */
export async function applyFaultAfter(
  fault: QueuedFault,
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
): Promise<unknown> {
  if (fault.latencyMs !== undefined) await sleep(fault.latencyMs);
  if (fault.dropConnection) {
    request.raw.socket.destroy();
    return payload;
  }
  if (fault.truncateBody) {
    return truncated(request, reply, fault.status ?? reply.statusCode, payloadText(payload));
  }
  const answer = answerOf(fault, request);
  if (!answer) return payload;
  shape(reply, fault, answer);
  return answer.body;
}
