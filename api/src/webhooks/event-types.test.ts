import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { alertBody } from '../alerts/alert-outbox.js';
import { Alert } from '../alerts/alert.entity.js';
import { AlertKind } from '../alerts/alert-kind.js';
import { Job } from '../jobs/job.entity.js';
import { JobStatus, Priority } from '../jobs/job.enums.js';
import { SUBSCRIBABLE_EVENT_TYPES, WEBHOOK_EVENT_TYPES } from './event-types.js';
import { serializeTestBody, serializeWebhookBody } from './webhook-body.js';

const ended = (status: JobStatus, overrides: Partial<Job> = {}): Job =>
  Object.assign(new Job(), {
    id: 42,
    taskName: 'generate-report',
    priority: Priority.HIGH,
    status,
    payload: { format: 'PDF', pages: [1, 2] },
    attempts: 1,
    completedAt: new Date('2026-12-03T07:00:00.123Z'),
    runDurationMs: 3254,
    lastError: status === JobStatus.FAILED ? 'boom' : null,
    ...overrides,
  });

const alert = (overrides: Partial<Alert> = {}): Alert =>
  Object.assign(new Alert(), {
    id: 7,
    kind: AlertKind.FAILURE_RATE,
    ruleId: 3,
    queue: 'imports',
    taskName: null,
    endpointId: null,
    value: 0.6,
    threshold: 0.5,
    firedAt: new Date('2026-12-03T07:00:00.000Z'),
    resolvedAt: null,
    ...overrides,
  });

/** Real bodies, as the outbox stores them, of every event type (several shapes of some). */
const BODIES: Record<string, string[]> = {
  'job.completed': [
    serializeWebhookBody(ended(JobStatus.COMPLETED)),
    serializeWebhookBody(ended(JobStatus.COMPLETED, { priority: Priority.LOW })),
  ],
  'job.failed': [
    serializeWebhookBody(ended(JobStatus.FAILED)),
    serializeWebhookBody(ended(JobStatus.FAILED, { lastError: null, attempts: 3 })),
  ],
  'job.cancelled': [
    serializeWebhookBody(ended(JobStatus.CANCELLED, { attempts: 0, runDurationMs: null })),
    serializeWebhookBody(ended(JobStatus.CANCELLED, { runDurationMs: 812 })),
  ],
  'alert.fired': [
    alertBody('alert.fired', alert()),
    alertBody(
      'alert.fired',
      alert({ kind: AlertKind.ENDPOINT_DISABLED, ruleId: null, queue: null, endpointId: 5, value: 20, threshold: 20 }),
    ),
  ],
  'alert.resolved': [alertBody('alert.resolved', alert({ resolvedAt: new Date('2026-12-03T07:05:00.000Z'), value: 0.1 }))],
  'webhook.test': [serializeTestBody('3', new Date()), serializeTestBody('outbound', new Date())],
};

describe('webhook event types', () => {
  const ajv = new Ajv2020({ strict: true, allErrors: true, validateFormats: false });

  it('lists every event type once, each with a draft 2020-12 schema that compiles', () => {
    expect(WEBHOOK_EVENT_TYPES.map((t) => t.name)).toEqual(Object.keys(BODIES));
    expect(SUBSCRIBABLE_EVENT_TYPES).toEqual(['job.completed', 'job.failed', 'job.cancelled', 'alert.fired', 'alert.resolved']);
    for (const type of WEBHOOK_EVENT_TYPES) {
      expect(type.schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(() => ajv.compile(type.schema)).not.toThrow();
    }
  });

  it.each(WEBHOOK_EVENT_TYPES.map((t) => [t.name, t] as const))('a real %s body validates against its schema', (name, type) => {
    const validate = ajv.compile(type.schema);
    for (const body of BODIES[name]) {
      const parsed = JSON.parse(body);
      expect(parsed.type).toBe(name);
      expect(validate(parsed), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it('each schema refuses the bodies of the other types, a missing key and an extra one', () => {
    for (const type of WEBHOOK_EVENT_TYPES) {
      const validate = ajv.compile(type.schema);
      for (const [other, bodies] of Object.entries(BODIES)) {
        if (other !== type.name) for (const body of bodies) expect(validate(JSON.parse(body))).toBe(false);
      }
      const own = JSON.parse(BODIES[type.name][0]);
      const { type: _dropped, ...missing } = own;
      expect(validate(missing)).toBe(false);
      expect(validate({ ...own, extra: 1 })).toBe(false);
    }
  });
});
