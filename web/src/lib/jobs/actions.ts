import type { Client } from '@urql/core';
import { errorMessage } from '#lib/graphql/errors.ts';
import {
  CancelJobDocument,
  DeleteJobDocument,
  RedeliverWebhookDocument,
  RunJobDocument,
  type JobRowFragment,
} from '#lib/graphql/generated/graphql.ts';
import { toasts } from '#lib/state/toasts.svelte.ts';

/** Row and detail-page actions; each one ends in a toast saying what happened. Returns the updated job when there is one. */

type JobRef = Pick<JobRowFragment, 'id' | 'taskName'>;

const name = (job: JobRef) => `Job #${job.id} (${job.taskName})`;

export async function runJob(client: Client, job: JobRef): Promise<JobRowFragment | null> {
  const res = await client.mutation(RunJobDocument, { id: job.id }).toPromise();
  if (res.error || !res.data) {
    toasts.error(`Could not run ${name(job)}: ${errorMessage(res.error)}`);
    return null;
  }
  toasts.success(`${name(job)} queued to run now`);
  return res.data.runJob;
}

export async function cancelJob(client: Client, job: JobRef): Promise<JobRowFragment | null> {
  const res = await client.mutation(CancelJobDocument, { id: job.id }).toPromise();
  if (res.error || !res.data) {
    toasts.error(`Could not cancel ${name(job)}: ${errorMessage(res.error)}`);
    return null;
  }
  toasts.success(`${name(job)} cancelled`);
  return res.data.cancelJob;
}

export async function deleteJob(client: Client, job: JobRef): Promise<boolean> {
  const res = await client.mutation(DeleteJobDocument, { id: job.id }).toPromise();
  if (res.error || !res.data?.deleteJob) {
    toasts.error(`Could not delete ${name(job)}: ${errorMessage(res.error) || 'it no longer exists'}`);
    return false;
  }
  toasts.success(`${name(job)} deleted`);
  return true;
}

export async function redeliverWebhook(client: Client, job: JobRef): Promise<boolean> {
  const res = await client.mutation(RedeliverWebhookDocument, { jobId: job.id }).toPromise();
  if (res.error || !res.data) {
    toasts.error(`Could not redeliver the webhook of ${name(job)}: ${errorMessage(res.error)}`);
    return false;
  }
  toasts.success(`Webhook of ${name(job)} queued for redelivery`);
  return true;
}

export const canCancel = (status: string) => status === 'PENDING' || status === 'RUNNING';
export const canRun = (status: string) => status !== 'RUNNING';
