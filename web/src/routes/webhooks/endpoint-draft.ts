/** What the endpoint form submits: the fields of CreateWebhookEndpointInput, lists parsed from their text. */
export interface EndpointDraft {
  url: string;
  description: string;
  eventTypes: string[];
  queues: string[] | null;
  taskNames: string[] | null;
  enabled: boolean;
}

/** `webhook.test` is listed by webhookEventTypes but sent on request only: an endpoint cannot subscribe to it. */
export const subscribable = <T extends { name: string }>(types: readonly T[]): T[] => types.filter((t) => t.name !== 'webhook.test');

/** "a, b" → ['a', 'b']; blank → null (no filter). */
export function parseNames(text: string): string[] | null {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return names.length ? names : null;
}
