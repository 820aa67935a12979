import type { FastifyInstance } from 'fastify';
import { DirectoryInvitationsQuerySchema, PeopleQuerySchema } from '../../contract/directory.ts';
import type { DirectoryFreshness, DirectoryInvitationPage, PeoplePage } from '../../contract/directory.ts';
import type { Directory } from '../directory/directory.ts';
import type { DirectoryStore } from '../store/directory.ts';
import { EmptyBodySchema, flattenQuery, parseOrReject } from './route-helpers.ts';

/** /api/directory: the BFF's own copy of the clinic's people and invitations, searched here, and how fresh it is. */
export function registerDirectoryRoutes(
  app: FastifyInstance,
  { store, directory, now }: { store: DirectoryStore; directory: Directory; now: () => number },
): void {
  app.get(
    '/api/directory/people',
    { config: { query: true, role: 'viewer' } },
    async (request): Promise<PeoplePage> => {
      const query = parseOrReject(PeopleQuerySchema, flattenQuery(request.query));
      return { ...(await store.queryPeople(query, now())), freshness: await directory.freshness() };
    },
  );

  app.get(
    '/api/directory/invitations',
    { config: { query: true, role: 'viewer' } },
    async (request): Promise<DirectoryInvitationPage> => {
      const query = parseOrReject(DirectoryInvitationsQuerySchema, flattenQuery(request.query));
      return { ...(await store.queryInvitations(query, now())), freshness: await directory.freshness() };
    },
  );

  app.get('/api/directory/status', { config: { role: 'viewer' } }, async (): Promise<DirectoryFreshness> =>
    directory.freshness(),
  );

  // Starts a refresh unless one runs; answers at once with the freshness (refreshing true).
  app.post(
    '/api/directory/refresh',
    { config: { role: 'viewer' } },
    async (request, reply): Promise<DirectoryFreshness> => {
      parseOrReject(EmptyBodySchema, request.body);
      directory.refreshNow();
      reply.code(202);
      return directory.freshness();
    },
  );
}
