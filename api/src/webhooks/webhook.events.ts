import type { WebhookLog } from './webhook-log.entity.js';

/** What the webhooks domain announces after a commit; live updates listen. */
export interface WebhookEvents {
  logAdded(log: WebhookLog): void;
}

export const silentWebhookEvents: WebhookEvents = { logAdded() {} };
