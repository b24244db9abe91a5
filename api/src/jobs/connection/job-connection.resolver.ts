import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../graphql/context.js';
import { BadUserInputError } from '../../graphql/errors.js';
import { JobSort } from '../job.enums.js';
import { JobFilter } from '../job.input.js';
import { decodeCursor } from './cursor.js';
import { JobConnection } from './job-connection.types.js';
import type { Window } from './keyset.sql.js';

const DEFAULT_PAGE = 20;
const MAX_PAGE = 100;

function pageSize(field: 'first' | 'last', n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE) {
    throw new BadUserInputError(field, `expected a whole number 1..${MAX_PAGE}, got ${n}`);
  }
  return n;
}

/** The arguments as one window: `first` or `last` (not both; neither means the first 20), within the cursors. */
export function parseWindow(
  sort: JobSort,
  args: { first: number | null; last: number | null; after: string | null; before: string | null },
): Window {
  if (args.first !== null && args.last !== null) {
    throw new BadUserInputError('last', 'expected first or last, not both: first pages forward, last backward');
  }
  return {
    after: args.after === null ? undefined : decodeCursor('after', sort, args.after),
    before: args.before === null ? undefined : decodeCursor('before', sort, args.before),
    from: args.last === null ? 'start' : 'end',
    count: args.last === null ? pageSize('first', args.first ?? DEFAULT_PAGE) : pageSize('last', args.last),
  };
}

@Resolver(() => JobConnection)
export class JobConnectionResolver {
  @Query(() => JobConnection, {
    description:
      'Jobs matching every given filter as a Relay connection: keyset pages on (sort column, id), so paging never skips or repeats a job while others are added, and the last page costs what the first does',
  })
  async jobsConnection(
    @Ctx() { services }: Context,
    @Arg('filter', () => JobFilter, { nullable: true }) filter: JobFilter | undefined,
    @Arg('sort', () => JobSort, { nullable: true, defaultValue: JobSort.CREATED_AT_DESC }) sort: JobSort | null,
    @Arg('first', () => Int, {
      nullable: true,
      description: `1..${MAX_PAGE}; the first ${DEFAULT_PAGE} when neither first nor last is given`,
    })
    first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'Only jobs after this cursor' }) after: string | null,
    @Arg('last', () => Int, { nullable: true, description: `1..${MAX_PAGE}: the last jobs of the window, instead of first` })
    last: number | null,
    @Arg('before', () => String, { nullable: true, description: 'Only jobs before this cursor' }) before: string | null,
  ): Promise<JobConnection> {
    const order = sort ?? JobSort.CREATED_AT_DESC;
    const window = parseWindow(order, { first: first ?? null, last: last ?? null, after: after ?? null, before: before ?? null });
    return { ...(await services.jobs.connection(filter, order, window)), filter };
  }

  @FieldResolver(() => Int, {
    description: 'Jobs matching the filter across all pages (cursors aside): one COUNT, run only when selected',
  })
  async totalCount(@Root() connection: JobConnection, @Ctx() { services }: Context): Promise<number> {
    return services.jobs.count(connection.filter);
  }
}
