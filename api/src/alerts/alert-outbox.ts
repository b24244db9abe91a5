import type { Em } from '../db/orm.js';
import { WebhookEndpoint } from '../webhooks/endpoints/webhook-endpoint.entity.js';
import { recordMessage } from '../webhooks/outbox.js';
import { newMessageId } from '../webhooks/signatures.js';
import { recordUnsent, type UnsentMessage } from '../webhooks/endpoints/disabled-deliveries.js';
import type { Alert } from './alert.entity.js';

export type AlertEventType = 'alert.fired' | 'alert.resolved';

/** The documented alert body: every field present, null where it does not apply. */
export function alertBody(type: AlertEventType, alert: Alert): string {
  return JSON.stringify({
    type,
    alertId: String(alert.id),
    kind: alert.kind,
    ruleId: alert.ruleId ? String(alert.ruleId) : null,
    queue: alert.queue ?? null,
    taskName: alert.taskName ?? null,
    endpointId: alert.endpointId ? String(alert.endpointId) : null,
    value: alert.value,
    threshold: alert.threshold,
    firedAt: alert.firedAt.toISOString(),
    resolvedAt: alert.resolvedAt ? alert.resolvedAt.toISOString() : null,
  });
}

/**
 * Writes the alert event into the signed outbox once per enabled registered endpoint subscribed to
 * `type` (the endpoint the alert is about is skipped: it was just disabled); the deliverer signs and
 * sends them as any other message. A disabled subscriber gets its copy FAILED unsent, for a replay.
 * Answers how many rows were written to be sent.
 */
export async function recordAlertEvent(em: Em, type: AlertEventType, alert: Alert): Promise<number> {
  const endpoints = await em.find(WebhookEndpoint, { builtIn: false });
  const body = alertBody(type, alert);
  const unsent: UnsentMessage[] = [];
  let written = 0;
  for (const endpoint of endpoints) {
    if (!endpoint.eventTypes.includes(type) || endpoint.id === alert.endpointId) continue;
    const message = { messageId: newMessageId(), body };
    if (!endpoint.enabled) {
      unsent.push({ jobId: 0, endpointId: endpoint.id, url: endpoint.url, firstAttempt: 1, ...message });
      continue;
    }
    await recordMessage(em, 0, { url: endpoint.url, trusted: false, endpointId: endpoint.id }, message);
    written++;
  }
  await recordUnsent(em, unsent);
  return written;
}
