import { BadUserInputError, describe } from '../graphql/errors.js';

/** Starts per window a rate limit may allow, and its longest window (a day): queues and webhook endpoints. */
export const MAX_RATE = 1_000_000;
export const MAX_WINDOW_MS = 86_400_000;

/** A limit from input: null (or left out) clears it, otherwise a whole number 1..max. */
export function checkLimit(field: string, value: unknown, max: number): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new BadUserInputError(field, `expected a whole number 1..${max}, or null for no limit, got ${describe(value)}`);
  }
  return value;
}

/** A sliding-window rate from input (`{ max, perMs }`): null clears it. */
export function checkRate(field: string, value: { max: unknown; perMs: unknown } | null): { max: number; perMs: number } | null {
  if (value === null) return null;
  return { max: checkLimit(`${field}.max`, value.max, MAX_RATE)!, perMs: checkLimit(`${field}.perMs`, value.perMs, MAX_WINDOW_MS)! };
}
