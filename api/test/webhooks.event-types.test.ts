import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WEBHOOK_EVENT_TYPES } from '../src/webhooks/event-types.js';
import { EVENT_TYPES_DOC, formatEventTypesDoc } from '../scripts/event-types-doc.js';
import { serverForSuite, sqlite } from './support/server.js';
import { admin, TOKENS, viewer } from './support/task-modules.js';

/** `webhookEventTypes` over the real server (viewers may read it), endpoint validation against it, and its generated page. */
describe('webhook event types', () => {
  const server = serverForSuite(sqlite, { API_TOKENS: TOKENS, ROLE: 'api' });

  it('a viewer reads every event type with its JSON Schema, as defined in event-types.ts', async () => {
    const res = await server().gql('{ webhookEventTypes { name description schema } }', {}, viewer);
    expect(res.errors).toBeUndefined();
    expect(res.data.webhookEventTypes).toEqual(WEBHOOK_EVENT_TYPES.map(({ name, description, schema }) => ({ name, description, schema })));
    expect(res.data.webhookEventTypes.map((t: { name: string }) => t.name)).toEqual([
      'job.completed',
      'job.failed',
      'job.cancelled',
      'alert.fired',
      'alert.resolved',
      'webhook.test',
    ]);
  });

  it('an endpoint subscribing to a type not in the list (or to webhook.test) is refused, naming input.eventTypes and the type', async () => {
    for (const unknown of ['job.started', 'webhook.test']) {
      const res = await server().gql(
        'mutation($in: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $in) { secret } }',
        { in: { url: 'https://hooks.example.com/a', eventTypes: ['job.cancelled', unknown] } },
        admin,
      );
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.eventTypes' });
      expect(res.errors?.[0].message).toContain(`"${unknown}"`);
    }
  });

  it('docs/webhook-events.md is what `npm run schema` writes from the definitions', async () => {
    expect(readFileSync(EVENT_TYPES_DOC, 'utf8')).toBe(await formatEventTypesDoc());
  });
});
