import { AlertKind } from '../alerts/alert-kind.js';
import { JobStatus, Priority } from '../jobs/job.enums.js';

/** A JSON Schema (draft 2020-12) as plain data: what `webhookEventTypes` answers and the docs print. */
export type JsonSchema = Record<string, unknown>;

export interface WebhookEventTypeDefinition {
  name: string;
  description: string;
  /** Whether an endpoint may list it in `eventTypes` (`webhook.test` is sent on request, whatever they are). */
  subscribable: boolean;
  schema: JsonSchema;
}

const DRAFT = 'https://json-schema.org/draft/2020-12/schema';

/** Every timestamp in a body is `Date.toISOString()` output: UTC with milliseconds. */
const timestamp = { type: 'string', format: 'date-time', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$' };
const nullable = (schema: Record<string, unknown>) => ({ anyOf: [schema, { type: 'null' }] });
const priorities = Object.keys(Priority).filter((key) => Number.isNaN(Number(key)));

function objectSchema(name: string, description: string, properties: Record<string, unknown>): JsonSchema {
  return {
    $schema: DRAFT,
    title: name,
    description,
    type: 'object',
    properties,
    required: Object.keys(properties),
    additionalProperties: false,
  };
}

function jobEvent(name: string, status: JobStatus, description: string, extra: Record<string, unknown> = {}): WebhookEventTypeDefinition {
  return {
    name,
    description,
    subscribable: true,
    schema: objectSchema(name, description, {
      type: { const: name },
      jobId: { type: 'integer', minimum: 1 },
      taskName: { type: 'string', minLength: 1 },
      priority: { enum: priorities },
      status: { const: status },
      payload: { type: 'object', description: "The job's payload as it was created" },
      completedAt: { ...timestamp, description: 'When the job ended' },
      runDurationMs: { ...nullable({ type: 'integer', minimum: 0 }), description: 'Null when it never ran' },
      attempts: { type: 'integer', minimum: 0, description: 'Handler runs so far' },
      ...extra,
    }),
  };
}

function alertEvent(name: string, description: string, resolvedAt: Record<string, unknown>): WebhookEventTypeDefinition {
  const id = { type: 'string', pattern: '^[1-9][0-9]*$' };
  return {
    name,
    description,
    subscribable: true,
    schema: objectSchema(name, description, {
      type: { const: name },
      alertId: id,
      kind: { enum: Object.values(AlertKind) },
      ruleId: { ...nullable(id), description: 'Null for alerts no rule raised (ENDPOINT_DISABLED)' },
      queue: { ...nullable({ type: 'string' }), description: "The rule's queue; null: every queue or none applies" },
      taskName: { ...nullable({ type: 'string' }), description: "The rule's task; null: every task or none applies" },
      endpointId: { ...nullable(id), description: 'The endpoint an ENDPOINT_DISABLED alert is about' },
      value: { type: 'number', description: 'What was measured when it fired' },
      threshold: { type: 'number' },
      firedAt: timestamp,
      resolvedAt,
    }),
  };
}

/**
 * The webhook event types, each with the JSON Schema of its body: defined once here for endpoint
 * validation, the `webhookEventTypes` query and docs/webhook-events.md.
 */
export const WEBHOOK_EVENT_TYPES: readonly WebhookEventTypeDefinition[] = [
  jobEvent('job.completed', JobStatus.COMPLETED, 'A job ended COMPLETED.'),
  jobEvent('job.failed', JobStatus.FAILED, 'A job finally FAILED: its attempts are used up or its error is not retryable.', {
    lastError: { ...nullable({ type: 'string' }), description: "The last attempt's error" },
  }),
  jobEvent('job.cancelled', JobStatus.CANCELLED, 'A PENDING or RUNNING job was cancelled (cancelJob, cancelJobs); it ended CANCELLED.'),
  alertEvent('alert.fired', 'An alert rule started to hold, or an endpoint was disabled.', { type: 'null' }),
  alertEvent('alert.resolved', 'A firing alert stopped holding.', timestamp),
  {
    name: 'webhook.test',
    description: 'Sent by sendTestWebhook to one endpoint, whatever its event types.',
    subscribable: false,
    schema: objectSchema('webhook.test', 'Sent by sendTestWebhook to one endpoint, whatever its event types.', {
      type: { const: 'webhook.test' },
      endpointId: { type: 'string', description: '"outbound" for the built-in endpoint' },
      sentAt: timestamp,
    }),
  },
];

/** The names an endpoint may subscribe to, in the order above. */
export const SUBSCRIBABLE_EVENT_TYPES: readonly string[] = WEBHOOK_EVENT_TYPES.filter((t) => t.subscribable).map((t) => t.name);
