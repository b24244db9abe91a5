import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../../graphql/context.js';
import { BadUserInputError } from '../../graphql/errors.js';
import { DateTimeScalar } from '../../graphql/scalars.js';
import { BulkResult, JobsChangedAction } from '../bulk/bulk.types.js';
import { FailureGroup } from './failure-group.types.js';
import { MAX_SIGNATURE_CHARS } from './signature.js';

const SINCE = { nullable: true, description: 'Only jobs that failed (completedAt) at or after this time' } as const;

function checkSignature(signature: string): string {
  if (signature.length === 0 || signature.length > MAX_SIGNATURE_CHARS) {
    throw new BadUserInputError('signature', `expected a FailureGroup signature of 1..${MAX_SIGNATURE_CHARS} characters`);
  }
  return signature;
}

/** FAILED jobs grouped by the shape of their error, and retry or delete for a whole group. */
@Resolver()
export class FailuresResolver {
  @Query(() => [FailureGroup], { description: 'FAILED jobs grouped by error signature, the 100 largest groups first' })
  failureGroups(
    @Ctx() { services }: Context,
    @Arg('since', () => DateTimeScalar, SINCE) since: Date | null,
    @Arg('queue', () => String, { nullable: true }) queue: string | null,
    @Arg('taskName', () => String, { nullable: true }) taskName: string | null,
  ): Promise<FailureGroup[]> {
    return services.failures.groups({ since, queue, taskName });
  }

  @Mutation(() => BulkResult, { description: "retryJobs for a group's FAILED jobs (at most 10,000)" })
  retryFailureGroup(
    @Ctx() { services }: Context,
    @Arg('signature', () => String) signature: string,
    @Arg('since', () => DateTimeScalar, SINCE) since: Date | null,
  ): Promise<BulkResult> {
    return services.bulk.apply(JobsChangedAction.RETRIED, { failureGroup: { signature: checkSignature(signature), since: since ?? null } });
  }

  @Mutation(() => BulkResult, { description: "deleteJobs for a group's FAILED jobs (at most 10,000)" })
  deleteFailureGroup(
    @Ctx() { services }: Context,
    @Arg('signature', () => String) signature: string,
    @Arg('since', () => DateTimeScalar, SINCE) since: Date | null,
  ): Promise<BulkResult> {
    return services.bulk.apply(JobsChangedAction.DELETED, { failureGroup: { signature: checkSignature(signature), since: since ?? null } });
  }
}
