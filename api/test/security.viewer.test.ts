import { describe, expect, it } from 'vitest';
import { serverForSuite, sqlite } from './support/server.js';
import { admin, TOKENS, viewer } from './support/task-modules.js';

/** `viewer { name role }`: who the token is, so a client can hide what it may not do. */
describe('the viewer query', () => {
  const guarded = serverForSuite(sqlite, { API_TOKENS: TOKENS, ROLE: 'api' });
  const open = serverForSuite(sqlite, { ROLE: 'api' });

  it('names the token and its role; without tokens everyone is the anonymous ADMIN', async () => {
    expect((await guarded().gql('{ viewer { name role } }', {}, viewer)).data).toEqual({ viewer: { name: 'dash', role: 'VIEWER' } });
    expect((await guarded().gql('{ viewer { name role } }', {}, admin)).data).toEqual({ viewer: { name: 'ops', role: 'ADMIN' } });
    expect((await guarded().gql('{ viewer { name role } }')).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect((await open().gql('{ viewer { name role } }')).data).toEqual({ viewer: { name: 'anonymous', role: 'ADMIN' } });
  });
});
