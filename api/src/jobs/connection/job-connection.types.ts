import { Field, ObjectType } from 'type-graphql';
import { Job } from '../job.entity.js';
import type { JobFilter } from '../job.input.js';
// The one PageInfo of the schema: webhookDeliveries' connection declared it first.
import { PageInfo } from '../../webhooks/deliveries/delivery.types.js';

@ObjectType({ description: 'A job and the cursor of its position in the connection' })
export class JobEdge {
  @Field(() => String, { description: 'Opaque; pass it as after or before with the same sort' })
  cursor!: string;

  @Field(() => Job)
  node!: Job;
}

@ObjectType({ description: 'Jobs in Relay connection form: keyset pages, stable while jobs are added or removed' })
export class JobConnection {
  @Field(() => [JobEdge])
  edges!: JobEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  /** What totalCount counts, kept for its field resolver so the COUNT runs only when asked for. */
  filter?: JobFilter;
}
