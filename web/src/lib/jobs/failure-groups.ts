import type { Client } from '@urql/core';
import { errorMessage } from '#lib/graphql/errors.ts';
import { DeleteFailureGroupDocument, RetryFailureGroupDocument, type BulkOutcomeFragment } from '#lib/graphql/generated/graphql.ts';
import { toasts } from '#lib/state/toasts.svelte.ts';
import { bulkSummary } from './bulk.ts';

/** What the Failures page can do to a whole group: the bulk retry or delete of its FAILED jobs. */
export type GroupKind = 'retry' | 'delete';

/** The windows the page offers; `null` is every failure still kept. */
export const SINCE_WINDOWS = [
  { value: '1h', label: 'Last hour', ms: 60 * 60 * 1000 },
  { value: '24h', label: 'Last 24 hours', ms: 24 * 60 * 60 * 1000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 24 * 60 * 60 * 1000 },
  { value: 'all', label: 'All kept failures', ms: null },
] as const;

export type SinceWindow = (typeof SINCE_WINDOWS)[number]['value'];

/** The `since` argument of a window, as of `now`. */
export function sinceOf(window: SinceWindow, now = Date.now()): string | null {
  const ms = SINCE_WINDOWS.find((w) => w.value === window)?.ms ?? null;
  return ms === null ? null : new Date(now - ms).toISOString();
}

/** Retries or deletes one group (within `since`), ending in a toast with the count and the skipped reasons. */
export async function groupAction(
  client: Client,
  kind: GroupKind,
  signature: string,
  since: string | null,
): Promise<BulkOutcomeFragment | null> {
  const document = kind === 'retry' ? RetryFailureGroupDocument : DeleteFailureGroupDocument;
  const res = await client.mutation(document, { signature, since }).toPromise();
  const data = res.data as Record<string, BulkOutcomeFragment> | undefined;
  const result = data ? Object.values(data)[0] : undefined;
  if (res.error || !result) {
    toasts.error(`Could not ${kind} the group: ${errorMessage(res.error)}`);
    return null;
  }
  (result.changed < result.matched ? toasts.info : toasts.success)(bulkSummary(kind, result));
  return result;
}
