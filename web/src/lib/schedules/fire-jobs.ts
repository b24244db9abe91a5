import type { Client } from '@urql/core';
import type { JobStatus } from '#lib/graphql/generated/graphql.ts';

/** Under the API's 30 aliases per operation (see api/src/graphql/limits.ts). */
export const STATUS_BATCH = 25;

/** One operation reading the status of each of these jobs, as aliased `job(id:)` fields. */
export function jobStatusQuery(count: number): string {
  const indexes = Array.from({ length: count }, (_, i) => i);
  const variables = indexes.map((i) => `$j${i}: ID!`).join(', ');
  const fields = indexes.map((i) => `j${i}: job(id: $j${i}) { id status }`).join(' ');
  return `query FireJobStatuses(${variables}) { ${fields} }`;
}

/**
 * The current status of each job the fires created, read in batches (a fire carries only its job's id).
 * A job deleted or pruned since is left out.
 */
export async function readJobStatuses(client: Client, ids: readonly string[]): Promise<Map<string, JobStatus>> {
  const unique = [...new Set(ids)];
  const batches: string[][] = [];
  for (let i = 0; i < unique.length; i += STATUS_BATCH) batches.push(unique.slice(i, i + STATUS_BATCH));
  const answers = await Promise.all(
    batches.map((batch) =>
      client
        .query<Record<string, { id: string; status: JobStatus } | null>>(
          jobStatusQuery(batch.length),
          Object.fromEntries(batch.map((id, i) => [`j${i}`, id])),
        )
        .toPromise(),
    ),
  );
  const statuses = new Map<string, JobStatus>();
  for (const answer of answers) {
    for (const job of Object.values(answer.data ?? {})) if (job) statuses.set(job.id, job.status);
  }
  return statuses;
}
