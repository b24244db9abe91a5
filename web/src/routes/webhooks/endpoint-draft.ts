/** What the endpoint form submits: the fields of CreateWebhookEndpointInput, lists parsed from their text. */
export interface EndpointDraft {
  url: string;
  description: string;
  eventTypes: string[];
  queues: string[] | null;
  taskNames: string[] | null;
  enabled: boolean;
}

export const EVENT_TYPES = ['job.completed', 'job.failed', 'job.cancelled', 'alert.fired', 'alert.resolved'] as const;

/** "a, b" → ['a', 'b']; blank → null (no filter). */
export function parseNames(text: string): string[] | null {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return names.length ? names : null;
}
