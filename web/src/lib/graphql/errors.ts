import type { CombinedError } from '@urql/core';

/** The parts of a GraphQL error the UI shows: a message, and the input field it is about (BAD_USER_INPUT). */
export interface UiError {
  message: string;
  code?: string;
  /** Last segment of the server's field path: `input.webhookUrl` → `webhookUrl`. */
  field?: string;
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
    return { message: e.message, code: ext.code, field };
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
