import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

/** What a bulk change did to the jobs it names. */
export enum JobsChangedAction {
  RETRIED = 'RETRIED',
  CANCELLED = 'CANCELLED',
  DELETED = 'DELETED',
}

registerEnumType(JobsChangedAction, { name: 'JobsChangedAction' });

/** At most this many ids in a JobsChanged event and skipped entries in a BulkResult. */
export const LISTED_IDS = 100;

@ObjectType({ description: 'A job a bulk action left as it was, and why' })
export class BulkSkipped {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  reason!: string;
}

@ObjectType({ description: 'What a bulk action found and did' })
export class BulkResult {
  @Field(() => Int, { description: 'Jobs found: those matching the filter, or the given ids that exist' })
  matched!: number;

  @Field(() => Int, { description: 'Jobs the action changed' })
  changed!: number;

  @Field(() => [BulkSkipped], { description: 'Jobs left as they were with the reason (the first 100)' })
  skipped!: BulkSkipped[];
}

@ObjectType({ description: 'Many jobs changed at once (a bulk action, or pruning): one event per chunk of up to 1,000' })
export class JobsChanged {
  @Field(() => JobsChangedAction)
  action!: JobsChangedAction;

  @Field(() => Int, { description: 'Jobs this event covers' })
  count!: number;

  @Field(() => [ID], { description: 'Their ids (the first 100)' })
  ids!: string[];
}
