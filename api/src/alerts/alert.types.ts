import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar } from '../graphql/scalars.js';

import { AlertKind } from './alert-kind.js';

export { AlertKind };
registerEnumType(AlertKind, { name: 'AlertKind', description: 'What an alert rule watches' });

export enum AlertState {
  FIRING = 'FIRING',
  RESOLVED = 'RESOLVED',
}
registerEnumType(AlertState, { name: 'AlertState' });

@ObjectType({ description: 'A condition evaluated every ALERT_EVALUATION_INTERVAL_MS; fires once while it holds' })
export class AlertRuleView {
  @Field(() => ID) id!: string;
  @Field(() => AlertKind) kind!: AlertKind;
  @Field(() => String, { nullable: true, description: 'Only this queue; null for every queue' }) queue!: string | null;
  @Field(() => String, { nullable: true, description: 'Only this task (FAILURE_RATE); null for every task' })
  taskName!: string | null;
  @Field(() => Float, {
    description: 'FAILURE_RATE: a share 0–1; QUEUE_BACKLOG_AGE: milliseconds; QUEUE_DEPTH: pending jobs; NO_WORKERS: due jobs',
  })
  threshold!: number;
  @Field(() => Float, { description: 'FAILURE_RATE: the window of job ends looked at, in milliseconds' }) windowMs!: number;
  @Field(() => Int, { description: 'FAILURE_RATE: the least number of ends in the window before it may fire' }) minCount!: number;
  @Field(() => Float, { description: 'The least time between two fires of this rule, in milliseconds' }) cooldownMs!: number;
  @Field(() => Boolean) enabled!: boolean;
  @Field(() => DateTimeScalar) createdAt!: Date;
}

@ObjectType({ description: 'One fire of a rule, or of the system (rule null: ENDPOINT_DISABLED)' })
export class AlertView {
  @Field(() => ID) id!: string;
  @Field(() => AlertKind) kind!: AlertKind;
  @Field(() => AlertRuleView, { nullable: true }) rule!: AlertRuleView | null;
  @Field(() => AlertState) state!: AlertState;
  @Field(() => DateTimeScalar) firedAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true }) resolvedAt!: Date | null;
  @Field(() => Float, { description: 'What was measured when it fired' }) value!: number;
  @Field(() => String, { nullable: true }) queue!: string | null;
  @Field(() => String, { nullable: true }) taskName!: string | null;
  @Field(() => ID, { nullable: true }) endpointId!: string | null;
}

@InputType()
export class AlertRuleInput {
  @Field(() => AlertKind, { nullable: true, description: 'Required at creation' }) kind?: AlertKind | null;
  @Field(() => String, { nullable: true }) queue?: string | null;
  @Field(() => String, { nullable: true }) taskName?: string | null;
  @Field(() => Float, { nullable: true, description: 'Required at creation' }) threshold?: number | null;
  @Field(() => Float, { nullable: true, description: 'Default 60000; 1000 to 86400000' }) windowMs?: number | null;
  @Field(() => Int, { nullable: true, description: 'Default 1' }) minCount?: number | null;
  @Field(() => Float, { nullable: true, description: 'Default 0' }) cooldownMs?: number | null;
  @Field(() => Boolean, { nullable: true, description: 'Default true' }) enabled?: boolean | null;
}
