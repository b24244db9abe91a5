import type { Path } from './schema.ts';

/** What every field of a schema form shares: the payload, its errors, and how to change it. */
export interface FormContext {
  /** The payload being edited. */
  readonly value: Record<string, unknown>;
  /** The prefix of every field's id (`payload` → `payload-customer-email`). */
  readonly idPrefix: string;
  /** The errors to show now at this field: after it was edited or left, and all of them after a submit. */
  errorsAt(key: string): string[];
  touch(key: string): void;
  set(path: Path, value: unknown): void;
  remove(path: Path): void;
}

/** A field's element id from its key: `customer.email` → `payload-customer-email`, `items[0]` → `payload-items-0`. */
export function fieldId(prefix: string, key: string): string {
  const tail = key
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();
  return tail ? `${prefix}-${tail}` : `${prefix}-root`;
}
