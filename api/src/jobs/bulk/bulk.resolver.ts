import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../graphql/context.js';
import { BadUserInputError } from '../../graphql/errors.js';
import { JobFilter } from '../job.input.js';
import { parseId } from '../job.validate.js';
import type { BulkSelection } from './bulk-jobs.service.js';
import { BulkResult, JobsChangedAction } from './bulk.types.js';

const IDS = { nullable: true, description: 'These jobs (at most 10,000); give ids or filter' } as const;
const FILTER = { nullable: true, description: 'The jobs matching it, as `jobs` filters (at most 10,000)' } as const;

function selectionOf(ids: string[] | null | undefined, filter: JobFilter | null | undefined): BulkSelection {
  if (ids && filter) throw new BadUserInputError('ids', 'expected ids or filter, not both');
  if (ids) return { ids: ids.map((id, i) => parseId(`ids[${i}]`, id)) };
  if (filter) return { filter };
  throw new BadUserInputError('filter', 'expected ids or a filter');
}

/** The single job actions for many jobs at once; see BulkJobsService. */
@Resolver()
export class BulkJobsResolver {
  @Mutation(() => BulkResult, {
    description: 'runJob for many: PENDING jobs become due now, finished ones are queued again; RUNNING ones are skipped',
  })
  retryJobs(
    @Ctx() { services }: Context,
    @Arg('ids', () => [ID], IDS) ids: string[] | null,
    @Arg('filter', () => JobFilter, FILTER) filter: JobFilter | null,
  ): Promise<BulkResult> {
    return services.bulk.apply(JobsChangedAction.RETRIED, selectionOf(ids, filter));
  }

  @Mutation(() => BulkResult, {
    description: 'cancelJob for many: PENDING jobs are cancelled, RUNNING ones aborted; finished ones are skipped',
  })
  cancelJobs(
    @Ctx() { services }: Context,
    @Arg('ids', () => [ID], IDS) ids: string[] | null,
    @Arg('filter', () => JobFilter, FILTER) filter: JobFilter | null,
  ): Promise<BulkResult> {
    return services.bulk.apply(JobsChangedAction.CANCELLED, selectionOf(ids, filter));
  }

  @Mutation(() => BulkResult, { description: 'deleteJob for many, with their webhook rows, errors and logs; RUNNING ones are skipped' })
  deleteJobs(
    @Ctx() { services }: Context,
    @Arg('ids', () => [ID], IDS) ids: string[] | null,
    @Arg('filter', () => JobFilter, FILTER) filter: JobFilter | null,
  ): Promise<BulkResult> {
    return services.bulk.apply(JobsChangedAction.DELETED, selectionOf(ids, filter));
  }
}
