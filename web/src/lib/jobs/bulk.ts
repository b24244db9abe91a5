import type { Client } from '@urql/core';
import { errorMessage } from '#lib/graphql/errors.ts';
import {
  CancelJobsDocument,
  DeleteJobsDocument,
  RetryJobsDocument,
  type BulkOutcomeFragment,
  type JobFilter,
} from '#lib/graphql/generated/graphql.ts';
import { toasts } from '#lib/state/toasts.svelte.ts';

/** The bulk bar's actions: each is one call (at most 10,000 jobs) that ends in a toast with the count and the skipped reasons. */

export type BulkKind = 'retry' | 'cancel' | 'delete';

/** The jobs picked: these ids, or every job matching the list's filter. */
export type BulkTarget = { ids: string[] } | { filter: JobFilter };

const DOCUMENTS = { retry: RetryJobsDocument, cancel: CancelJobsDocument, delete: DeleteJobsDocument } as const;
const PAST = { retry: 'Retried', cancel: 'Cancelled', delete: 'Deleted' } as const;
const number = new Intl.NumberFormat('en');
/** Skipped reasons a toast lists before "and N more". */
const LISTED_SKIPS = 3;

/** "Retried 4,998 of 5,000 jobs; 2 skipped: #7 RUNNING: …" */
export function bulkSummary(kind: BulkKind, result: BulkOutcomeFragment): string {
  const head = `${PAST[kind]} ${number.format(result.changed)} of ${number.format(result.matched)} ${result.matched === 1 ? 'job' : 'jobs'}`;
  const skipped = result.matched - result.changed;
  if (skipped <= 0) return head;
  const listed = result.skipped.slice(0, LISTED_SKIPS).map((s) => `#${s.id} ${s.reason}`);
  const more = skipped - listed.length;
  return `${head}; ${number.format(skipped)} skipped: ${listed.join('; ')}${more > 0 ? ` and ${number.format(more)} more` : ''}`;
}

export async function bulkAction(client: Client, kind: BulkKind, target: BulkTarget): Promise<BulkOutcomeFragment | null> {
  const res = await client.mutation(DOCUMENTS[kind], target).toPromise();
  const data = res.data as Record<string, BulkOutcomeFragment> | undefined;
  const result = data ? Object.values(data)[0] : undefined;
  if (res.error || !result) {
    toasts.error(`Could not ${kind} the selected jobs: ${errorMessage(res.error)}`);
    return null;
  }
  (result.changed < result.matched ? toasts.info : toasts.success)(bulkSummary(kind, result));
  return result;
}
