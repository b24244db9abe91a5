import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../graphql/context.js';
import { JobError } from './job-error.entity.js';

@Resolver(() => JobError)
export class JobErrorResolver {
  @FieldResolver(() => String, {
    nullable: true,
    description: 'The stack the handler threw (at most 8 KiB); null for a viewer token in production, and where none was thrown',
  })
  stack(@Root() error: JobError, @Ctx() { services, viewer }: Context): string | null {
    // Stacks carry paths and code: operators see them, a wall-screen viewer token in production does not.
    if (services.config.NODE_ENV === 'production' && viewer.role !== 'admin') return null;
    return error.stack ?? null;
  }
}
