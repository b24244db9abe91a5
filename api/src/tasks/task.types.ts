import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { JSONScalar } from '../graphql/scalars.js';

export enum TaskSourceKind {
  BUILT_IN = 'BUILT_IN',
  MODULE = 'MODULE',
  /** Announced by a remote worker (registerWorker) */
  REMOTE = 'REMOTE',
}
registerEnumType(TaskSourceKind, { name: 'TaskSource', description: 'Where a task is defined' });

@ObjectType('TaskBackoff', { description: "A task's backoff between failed attempts" })
export class TaskBackoffInfo {
  @Field(() => String, { description: 'exponential (baseMs doubling per attempt) or fixed' })
  kind!: string;

  @Field(() => Int)
  baseMs!: number;

  @Field(() => Int)
  maxMs!: number;

  @Field(() => Boolean, { description: 'Half of each wait random' })
  jitter!: boolean;
}

@ObjectType('TaskDefaults', { description: 'What a job of this task gets where its input leaves a field out' })
export class TaskDefaultsInfo {
  @Field(() => Int, { nullable: true, description: 'Null: the product default (3)' })
  maxAttempts!: number | null;

  @Field(() => Int, { nullable: true, description: 'Null: no timeout' })
  timeoutMs!: number | null;

  @Field(() => String)
  queue!: string;

  @Field(() => TaskBackoffInfo)
  backoff!: TaskBackoffInfo;
}

@ObjectType({ description: "A task's jobs now" })
export class TaskCounts {
  @Field(() => Int)
  pending!: number;

  @Field(() => Int)
  running!: number;

  @Field(() => Int, { description: 'Jobs of this task that ended FAILED in the last hour' })
  failedLastHour!: number;
}

@ObjectType({ description: 'A task jobs can name: its payload schema, defaults and where it comes from' })
export class Task {
  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => JSONScalar, { nullable: true, description: 'JSON Schema of the payload; null: any JSON object' })
  payloadSchema!: unknown;

  @Field(() => TaskDefaultsInfo)
  defaults!: TaskDefaultsInfo;

  @Field(() => TaskSourceKind)
  source!: TaskSourceKind;
}
