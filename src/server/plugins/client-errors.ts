import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

/**
 * Fastify's `clientErrorHandler`. A request Node cannot parse (a bad method, an oversized header, a broken chunked
 * body) never reaches the router: the HTTP server reports it with the raw bytes attached, and Fastify's own handler
 * logs that error whole, which put the request's bytes (session cookie and password included) into the log at trace
 * level. This one logs the error's code only, at any level, answers 400 (431: headers too large; 408: too slow)
 * and closes the connection.
 */
export function answerClientError(this: FastifyInstance, error: Error, socket: Socket): void {
  const code = 'code' in error && typeof error.code === 'string' ? error.code : 'unknown';
  if (code === 'ECONNRESET' || socket.destroyed) return;
  const status = code === 'HPE_HEADER_OVERFLOW' ? 431 : code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  this.log.debug({ clientError: { code, status } }, 'A request could not be read');
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${REASONS[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  }
  socket.destroy();
}
