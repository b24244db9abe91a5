import { Field, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../graphql/scalars.js';

@ObjectType({ description: 'Jobs that ended in one minute' })
export class ThroughputPoint {
  @Field(() => DateTimeScalar, { description: 'Start of the minute (UTC)' })
  minute!: Date;

  @Field(() => Int, { description: 'Jobs that ended COMPLETED in this minute' })
  completed!: number;

  @Field(() => Int, { description: 'Jobs that ended FAILED (no attempts left) in this minute' })
  failed!: number;
}
