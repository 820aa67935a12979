import { connect } from 'node:net';

/**
 * HTTP/1.1 spoken byte for byte over a socket, for probes that a client library would refuse to send or would
 * "correct": request targets with backslashes, `%` escapes of any kind, `..` segments, raw headers. The request is sent
 * as given (with `Connection: close`), and the answer read to the end of the connection.
 */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  text: string;
}

export interface RawRequest {
  method?: string;
  target: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Bytes sent exactly as they are, instead of building a request (a malformed one, say). */
  raw?: string | Buffer;
}

export async function rawHttp(baseUrl: string, request: RawRequest): Promise<RawAnswer> {
  const url = new URL(baseUrl);
  const bytes = request.raw ?? buildRequest(url.host, request);
  const data = await new Promise<Buffer>((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error(`No answer to ${request.target}`)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A server that answers and then closes may reset the socket while we still write: keep what arrived.
      if (error.code === 'ECONNRESET' && chunks.length > 0) resolve(Buffer.concat(chunks));
      else reject(error);
    });
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('close', () => resolve(Buffer.concat(chunks)));
    socket.write(bytes);
  });
  return parseAnswer(data);
}

function buildRequest(host: string, request: RawRequest): Buffer {
  const body = request.body === undefined ? Buffer.alloc(0) : Buffer.from(request.body);
  const headers: Record<string, string> = { host, connection: 'close', ...request.headers };
  if (body.length > 0) headers['content-length'] ??= String(body.length);
  const head = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return Buffer.concat([
    Buffer.from(`${request.method ?? 'GET'} ${request.target} HTTP/1.1\r\n${head}\r\n`, 'latin1'),
    body,
  ]);
}

function parseAnswer(data: Buffer): RawAnswer {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0)
    throw new Error(`Not an HTTP answer: ${JSON.stringify(data.toString('latin1').slice(0, 200))}`);
  const [statusLine = '', ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  if (!Number.isInteger(status)) throw new Error(`Not an HTTP status line: ${statusLine}`);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  let body = data.subarray(end + 4);
  if (headers['transfer-encoding']?.toLowerCase() === 'chunked') body = unchunk(body);
  return { status, headers, body, text: body.toString('utf8') };
}

function unchunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < data.length) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = Number.parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (!(size > 0)) break;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
