import type { CombinedError } from '@urql/core';
import { payloadKeyOf, type PayloadError } from '#lib/schema-form/schema.ts';

/** The parts of a GraphQL error the UI shows: a message, and the input field it is about (BAD_USER_INPUT). */
export interface UiError {
  message: string;
  code?: string;
  /** Last segment of the server's field path: `input.webhookUrl` → `webhookUrl`. */
  field?: string;
  /** The server's whole field path: `input.payload.customer.email`. */
  path?: string;
}

export function uiErrors(error: CombinedError | undefined): UiError[] {
  if (!error) return [];
  if (error.networkError && error.graphQLErrors.length === 0) {
    return [{ message: 'The server cannot be reached. Check your connection; the page retries by itself.', code: 'NETWORK' }];
  }
  return error.graphQLErrors.map((e) => {
    const ext = e.extensions as { code?: string; field?: string };
    const field =
      typeof ext.field === 'string'
        ? ext.field
            .split('.')
            .pop()
            ?.replace(/\[\d+\]$/, '')
        : undefined;
    return { message: e.message, code: ext.code, field, path: typeof ext.field === 'string' ? ext.field : undefined };
  });
}

/** One sentence for a toast. */
export function errorMessage(error: CombinedError | undefined): string {
  return uiErrors(error)
    .map((e) => e.message)
    .join('; ');
}

/** Errors keyed by input field name; errors without a field go under `_form`. */
export function fieldErrors(error: CombinedError | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of uiErrors(error)) {
    const key = e.code === 'BAD_USER_INPUT' && e.field ? e.field : '_form';
    out[key] = out[key] ? `${out[key]}; ${e.message}` : e.message;
  }
  return out;
}

/**
 * Like `fieldErrors`, with the errors about a place inside the payload apart, keyed by their path
 * there (`input.payload.customer.email` → `customer.email`), for the schema form's fields.
 */
export function splitPayloadErrors(error: CombinedError | undefined): { fields: Record<string, string>; payload: PayloadError[] } {
  const fields: Record<string, string> = {};
  const payload: PayloadError[] = [];
  for (const e of uiErrors(error)) {
    const key = e.code === 'BAD_USER_INPUT' && e.path ? payloadKeyOf(e.path) : null;
    if (key !== null) {
      payload.push({ key, message: e.message });
      continue;
    }
    const name = e.code === 'BAD_USER_INPUT' && e.field ? e.field : '_form';
    fields[name] = fields[name] ? `${fields[name]}; ${e.message}` : e.message;
  }
  return { fields, payload };
}
