/** What the endpoint form submits: the fields of CreateWebhookEndpointInput, lists parsed from their text. */
export interface EndpointDraft {
  url: string;
  description: string;
  eventTypes: string[];
  queues: string[] | null;
  taskNames: string[] | null;
  enabled: boolean;
  /** null: the server's default on create, unchanged on edit. */
  disableAfterFailures: number | null;
  disableAfterMs: number | null;
  /** null: no limit of its own (on edit too: a blank field clears the limit). */
  concurrency: number | null;
  rateLimit: { max: number; perMs: number } | null;
}

/** "at most `max` per `seconds`": blank max → no rate limit; a blank window is one second. */
export function parseRate(max: string | number | null, seconds: string | number | null): { max: number; perMs: number } | null {
  const n = parseAmount(max);
  if (n === null) return null;
  return { max: n, perMs: parseAmount(seconds, 1000) ?? 1000 };
}

/** A number field's text as a whole number times `scale`; blank → null (the default). */
export function parseAmount(text: string | number | null, scale = 1): number | null {
  if (text === null || String(text).trim() === '') return null;
  return Math.round(Number(text) * scale);
}

export const HOUR_MS = 3_600_000;

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
