import type { QueueCardFragment, UpdateQueueInput } from '#lib/graphql/generated/graphql.ts';

/** What the API accepts as a queue name: 1–64 characters of [a-z0-9._-]. */
export const QUEUE_NAME = /^[a-z0-9._-]{1,64}$/;

export const isQueueName = (value: string): boolean => QUEUE_NAME.test(value);

/** The limits form's numbers; null (an empty input) is "no limit". */
export interface QueueDraft {
  concurrencyLimit: number | null;
  rateMax: number | null;
  ratePerMs: number | null;
  keyConcurrency: number | null;
}

export const EMPTY_DRAFT: QueueDraft = { concurrencyLimit: null, rateMax: null, ratePerMs: null, keyConcurrency: null };

export function draftOf(queue: Pick<QueueCardFragment, 'concurrencyLimit' | 'rateLimit' | 'keyConcurrency'>): QueueDraft {
  return {
    concurrencyLimit: queue.concurrencyLimit,
    rateMax: queue.rateLimit?.max ?? null,
    ratePerMs: queue.rateLimit?.perMs ?? null,
    keyConcurrency: queue.keyConcurrency,
  };
}

/** A bound number input reads undefined or null when empty. */
const blank = (n: number | null | undefined): n is null | undefined => n === null || n === undefined;
const orNull = (n: number | null | undefined): number | null => (blank(n) ? null : n);

export interface DraftInput {
  input: UpdateQueueInput;
  /** Mistakes the API cannot be asked about (its rate input needs both numbers), keyed like the server's fields. */
  errors: Record<string, string>;
}

/**
 * The `updateQueue` input for a draft. Given the settings the form started from, only what changed is
 * sent (a field left out stays as it is on the server, so two people editing different limits do not
 * undo each other); without them every limit is sent, null clearing it. Values are sent as typed: the
 * server's range checks answer on the field.
 */
export function inputOf(draft: QueueDraft, initial?: QueueDraft): DraftInput {
  const errors: Record<string, string> = {};
  const input: UpdateQueueInput = {};
  const concurrencyLimit = orNull(draft.concurrencyLimit);
  const keyConcurrency = orNull(draft.keyConcurrency);
  const rateMax = orNull(draft.rateMax);
  const ratePerMs = orNull(draft.ratePerMs);

  if (rateMax === null && ratePerMs !== null)
    errors.max = 'Give the number of starts per window too, or leave both empty for no rate limit.';
  if (rateMax !== null && ratePerMs === null) errors.perMs = 'Give the window in milliseconds too, or leave both empty for no rate limit.';

  const changed = (a: number | null, b: number | null | undefined) => !initial || a !== orNull(b);
  if (changed(concurrencyLimit, initial?.concurrencyLimit)) input.concurrencyLimit = concurrencyLimit;
  if (changed(keyConcurrency, initial?.keyConcurrency)) input.keyConcurrency = keyConcurrency;
  if (changed(rateMax, initial?.rateMax) || changed(ratePerMs, initial?.ratePerMs)) {
    input.rateLimit = rateMax !== null && ratePerMs !== null ? { max: rateMax, perMs: ratePerMs } : null;
  }
  return { input, errors };
}

/** A rate window in its largest whole unit: 1000 → "1 s", 90000 → "90 s", 3600000 → "1 h", 1500 → "1.5 s". */
export function formatWindow(ms: number): string {
  if (ms >= 86_400_000 && ms % 86_400_000 === 0) return `${ms / 86_400_000} d`;
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms >= 1000) return `${Number((ms / 1000).toFixed(3))} s`;
  return `${ms} ms`;
}

/** "20 per 1 s", or "none". */
export function formatRate(rate: { max: number; perMs: number } | null | undefined): string {
  return rate ? `${rate.max} per ${formatWindow(rate.perMs)}` : 'none';
}
