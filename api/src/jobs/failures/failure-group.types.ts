import { Field, ID, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../../graphql/scalars.js';

@ObjectType({ description: 'FAILED jobs whose errors have one shape: the same error class and message once values are taken out' })
export class FailureGroup {
  @Field(() => String, {
    description:
      'The error class and the message with numbers, ids, UUIDs, hex, quoted strings and URLs replaced (<n>, <id>, <uuid>, <hex>, <str>, <url>)',
  })
  signature!: string;

  @Field(() => String, { description: "The newest job's error message, as it was" })
  sampleMessage!: string;

  @Field(() => Int, { description: 'FAILED jobs in the group' })
  count!: number;

  @Field(() => DateTimeScalar, { description: 'The earliest completedAt of its jobs' })
  firstSeen!: Date;

  @Field(() => DateTimeScalar, { description: 'The latest completedAt of its jobs' })
  lastSeen!: Date;

  @Field(() => [String], { description: 'The tasks whose jobs failed this way' })
  taskNames!: string[];

  @Field(() => [ID], { description: 'Some of its jobs (up to 5, the newest first)' })
  sampleJobIds!: string[];
}
