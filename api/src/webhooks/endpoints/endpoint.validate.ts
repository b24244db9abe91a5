import { BadUserInputError, describe } from '../../graphql/errors.js';
import { checkTaskName } from '../../jobs/job.validate.js';
import { checkLimit, checkRate } from '../../queues/limit-input.js';
import { checkQueueName } from '../../queues/queue-name.js';
import { SUBSCRIBABLE_EVENT_TYPES } from '../event-types.js';

/** The event types an endpoint may subscribe to: every type of `webhookEventTypes` but `webhook.test`. */
const KNOWN = new Set<string>(SUBSCRIBABLE_EVENT_TYPES);

export const MAX_DESCRIPTION = 500;
const MAX_FILTER_ITEMS = 100;
/** The longest rotation grace: a week covers every receiver's deploy cycle. */
export const MAX_GRACE_MS = 7 * 24 * 60 * 60 * 1000;

export function checkEventTypes(field: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0)
    throw new BadUserInputError(field, `expected at least one of ${SUBSCRIBABLE_EVENT_TYPES.join(', ')}`);
  for (const type of value) {
    if (!KNOWN.has(type))
      throw new BadUserInputError(field, `expected one of ${SUBSCRIBABLE_EVENT_TYPES.join(', ')}, got ${describe(type)}`);
  }
  return [...new Set(value as string[])];
}

export function checkDescription(field: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string' || value.length > MAX_DESCRIPTION) {
    throw new BadUserInputError(field, `expected at most ${MAX_DESCRIPTION} characters, got ${describe(value)}`);
  }
  return value;
}

/** A filter list: null (or absent) matches everything; an empty list would match nothing, so it is refused. */
function checkFilter(field: string, value: unknown, checkItem: (field: string, item: unknown) => string): string[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_FILTER_ITEMS) {
    throw new BadUserInputError(field, `expected null (no filter) or 1–${MAX_FILTER_ITEMS} names, got ${describe(value)}`);
  }
  return [...new Set(value.map((item, i) => checkItem(`${field}[${i}]`, item)))];
}

export const checkQueues = (field: string, value: unknown) => checkFilter(field, value, (f, item) => checkQueueName(f, item));
export const checkTaskNames = (field: string, value: unknown) => checkFilter(field, value, checkTaskName);

export function checkGraceMs(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_GRACE_MS) {
    throw new BadUserInputError(field, `expected whole milliseconds 0..${MAX_GRACE_MS}, got ${describe(value)}`);
  }
  return value;
}

/** The most failed messages an auto-disable threshold may ask for. */
export const MAX_DISABLE_AFTER_FAILURES = 1_000_000;
/** GraphQL's Int: about 24.8 days. */
export const MAX_DISABLE_AFTER_MS = 2_147_483_647;

export function checkDisableAfterFailures(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_DISABLE_AFTER_FAILURES) {
    throw new BadUserInputError(field, `expected a whole number 1..${MAX_DISABLE_AFTER_FAILURES}, got ${describe(value)}`);
  }
  return value;
}

export function checkDisableAfterMs(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_DISABLE_AFTER_MS) {
    throw new BadUserInputError(field, `expected whole milliseconds 0..${MAX_DISABLE_AFTER_MS}, got ${describe(value)}`);
  }
  return value;
}

/** The most attempts in flight to one endpoint a limit may allow (WEBHOOK_CONCURRENCY caps the process anyway). */
export const MAX_ENDPOINT_CONCURRENCY = 1000;

export const checkEndpointConcurrency = (field: string, value: unknown): number | null =>
  checkLimit(field, value, MAX_ENDPOINT_CONCURRENCY);

export const checkEndpointRate = (field: string, value: { max: unknown; perMs: unknown } | null | undefined) =>
  checkRate(field, value ?? null);
