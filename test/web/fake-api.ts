// A fake BFF at the fetch boundary: tests declare how each /api route answers and read back what was sent.
import { vi } from 'vitest';
import type { Problem } from '../../src/contract/problem.ts';
import type { User } from '../../src/contract/users.ts';

export type SentRequest = { method: string; path: string; headers: Headers; body: unknown };
type Handler = (request: SentRequest) => Response | Promise<Response>;

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

export function problem(status: number, body: Omit<Problem, 'status'>, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify({ ...body, status }), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
}

/** Stub global fetch with a route table ("METHOD /path" → handler). Unknown routes answer 404 and fail loudly. */
export function fakeApi(routes: Record<string, Handler | Handler[]>) {
  const requests: SentRequest[] = [];
  const queues = new Map(
    Object.entries(routes).map(([key, value]) => [key, Array.isArray(value) ? [...value] : value]),
  );
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://localhost');
    const method = (init?.method ?? 'GET').toUpperCase();
    const text = typeof init?.body === 'string' ? init.body : undefined;
    const request: SentRequest = {
      method,
      path: `${url.pathname}${url.search}`,
      headers: new Headers(init?.headers),
      body: text === undefined ? undefined : JSON.parse(text),
    };
    requests.push(request);
    const route = queues.get(`${method} ${url.pathname}`);
    const handler = Array.isArray(route) ? (route.length > 1 ? route.shift() : route[0]) : route;
    if (!handler) throw new Error(`fake api: no route for ${method} ${url.pathname}`);
    return handler(request);
  });
  vi.stubGlobal('fetch', fetchMock);
  return {
    requests,
    invites: () => requests.filter((r) => r.method === 'POST' && r.path === '/api/users'),
  };
}

export const SARAH: User = {
  userId: 'usr_1234567890abcdef1234567890abcdef',
  email: 'dr.johnson@hospital.org',
  firstName: 'Sarah',
  middleName: 'Marie',
  lastName: 'Johnson',
  suffix1: 'MD',
  suffix2: 'FACR',
  phoneNumber: '5551234567',
  clinicRole: 'Radiologist',
  level: 'member',
  hasDashboardAccess: true,
  canManageStudies: true,
  invitedSource: 'api',
  createdAt: '2024-01-15T10:00:00Z',
  lastLoginAt: null,
};

/** Echo the invite back as the user the BFF would create. */
export function createdUser(body: unknown, userId = SARAH.userId): Response {
  const input = typeof body === 'object' && body !== null ? body : {};
  return json(
    {
      ...SARAH,
      middleName: null,
      suffix1: null,
      suffix2: null,
      phoneNumber: null,
      ...input,
      userId,
      invitedSource: 'api',
    },
    201,
  );
}
