import { WEBHOOK_EVENT_TYPES, type WebhookEventTypeDefinition } from './event-types.js';

/** The heading anchor GitHub makes for `## job.completed`: lower case, dots dropped. */
export const eventTypeAnchor = (name: string) => name.toLowerCase().replace(/[^a-z0-9 _-]/g, '');

function section(type: WebhookEventTypeDefinition): string {
  return [`## ${type.name}`, '', type.description, '', '```json', JSON.stringify(type.schema, null, 2), '```', ''].join('\n');
}

/**
 * docs/webhook-events.md before formatting, written by `npm run schema` from WEBHOOK_EVENT_TYPES: the page and the
 * `webhookEventTypes` query cannot disagree, and a test fails when the page is stale.
 */
export function renderEventTypesDoc(): string {
  return [
    '# Webhook event types',
    '',
    '<!-- Generated from api/src/webhooks/event-types.ts by `npm run schema`; do not edit by hand. -->',
    '',
    'The JSON Schema (draft 2020-12) of every webhook body, as the `webhookEventTypes` query answers them. See',
    '[Webhooks](webhooks.md#event-types) for when each is sent and how it is signed.',
    '',
    '| type | sent when |',
    '| --- | --- |',
    ...WEBHOOK_EVENT_TYPES.map((t) => `| [\`${t.name}\`](#${eventTypeAnchor(t.name)}) | ${t.description} |`),
    '',
    ...WEBHOOK_EVENT_TYPES.map(section),
  ].join('\n');
}
