import { BadUserInputError, describe } from '../graphql/errors.js';

export const DEFAULT_QUEUE = 'default';

/** Lower-case letters, digits, dots, underscores and dashes: safe in metric labels, URLs and logs. */
export const QUEUE_NAME = /^[a-z0-9._-]{1,64}$/;

export function isQueueName(value: unknown): value is string {
  return typeof value === 'string' && QUEUE_NAME.test(value);
}

/** A queue name from input; leaving it out (undefined or null) gives `fallback`. */
export function checkQueueName(field: string, value: unknown, fallback = DEFAULT_QUEUE): string {
  if (value === undefined || value === null) return fallback;
  if (!isQueueName(value)) throw new BadUserInputError(field, `expected 1–64 characters of [a-z0-9._-], got ${describe(value)}`);
  return value;
}
