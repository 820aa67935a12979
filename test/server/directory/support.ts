import { expect } from 'vitest';
import {
  DirectoryFreshnessSchema,
  DirectoryInvitationPageSchema,
  PeoplePageSchema,
} from '../../../src/contract/directory.ts';
import type {
  DirectoryFreshness,
  DirectoryInvitationPage,
  PeoplePage,
} from '../../../src/contract/directory.ts';
import type { SignedInClient } from '../../support/session.ts';

/** The directory's routes as the screens call them. */
export function directoryOf(client: Pick<SignedInClient, 'request'>) {
  const status = async (): Promise<DirectoryFreshness> => {
    const answer = await client.request('GET', '/api/directory/status');
    expect(answer.status, answer.text).toBe(200);
    return DirectoryFreshnessSchema.parse(answer.json());
  };
  return {
    status,
    async people(query = ''): Promise<PeoplePage> {
      const answer = await client.request('GET', `/api/directory/people${query}`);
      expect(answer.status, answer.text).toBe(200);
      return PeoplePageSchema.parse(answer.json());
    },
    async invitations(query = ''): Promise<DirectoryInvitationPage> {
      const answer = await client.request('GET', `/api/directory/invitations${query}`);
      expect(answer.status, answer.text).toBe(200);
      return DirectoryInvitationPageSchema.parse(answer.json());
    },
    /** Ask for a refresh and wait until no refresh runs any more. */
    async refresh(): Promise<DirectoryFreshness> {
      const answer = await client.request('POST', '/api/directory/refresh');
      expect(answer.status, answer.text).toBe(202);
      expect(DirectoryFreshnessSchema.parse(answer.json()).refreshing).toBe(true);
      return settled();
    },
    settled,
  };

  async function settled(): Promise<DirectoryFreshness> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const freshness = await status();
      if (!freshness.refreshing) return freshness;
      if (Date.now() > deadline) throw new Error('The directory refresh did not finish in 30 s.');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
