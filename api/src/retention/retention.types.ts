import { Field, Float, InputType, ObjectType } from 'type-graphql';

const DURATION = 'a duration: 90s, 15m, 12h, 7d or milliseconds; 0 keeps them forever, at least 1s otherwise';

@ObjectType({ description: 'How long finished jobs are kept, by final status, counted from completedAt; 0: kept forever' })
export class RetentionInfo {
  @Field(() => Float, { description: 'Milliseconds COMPLETED jobs are kept' })
  completedMs!: number;

  @Field(() => Float, { description: 'Milliseconds FAILED jobs are kept' })
  failedMs!: number;

  @Field(() => Float, { description: 'Milliseconds CANCELLED jobs are kept' })
  cancelledMs!: number;
}

/** A queue's own retention; a status left out stays as it is, null returns it to the RETENTION_* default. */
@InputType()
export class RetentionInput {
  @Field(() => String, { nullable: true, description: `COMPLETED jobs: ${DURATION}; null: RETENTION_COMPLETED` })
  completed?: string | null;

  @Field(() => String, { nullable: true, description: `FAILED jobs: ${DURATION}; null: RETENTION_FAILED` })
  failed?: string | null;

  @Field(() => String, { nullable: true, description: `CANCELLED jobs: ${DURATION}; null: RETENTION_CANCELLED` })
  cancelled?: string | null;
}
