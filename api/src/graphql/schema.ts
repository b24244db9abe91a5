import 'reflect-metadata';
import { printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { JobErrorResolver } from '../jobs/job-error.resolver.js';
import { JobsResolver } from '../jobs/jobs.resolver.js';
import { JobConnectionResolver } from '../jobs/connection/job-connection.resolver.js';
import { TasksResolver } from '../tasks/tasks.resolver.js';
import { ThroughputResolver } from '../jobs/throughput.resolver.js';
import { LiveResolver } from '../live/live.resolver.js';
import { QueueResolver } from '../queues/queue.resolver.js';
import { BulkJobsResolver } from '../jobs/bulk/bulk.resolver.js';
import { FailuresResolver } from '../jobs/failures/failures.resolver.js';
import { ViewerResolver } from '../http/viewer.resolver.js';
import { AlertsResolver } from '../alerts/alerts.resolver.js';
import { RetentionResolver } from '../retention/retention.resolver.js';
import { ScheduleFireResolver, SchedulesResolver } from '../schedules/schedules.resolver.js';
import { WebhooksResolver } from '../webhooks/webhooks.resolver.js';
import { EndpointsResolver } from '../webhooks/endpoints/endpoints.resolver.js';
import { DeliveriesResolver } from '../webhooks/deliveries/deliveries.resolver.js';
import { WebhookEventTypesResolver } from '../webhooks/event-types.resolver.js';
import { TaskWorkersResolver, WorkersResolver } from '../workers/workers.resolver.js';

export const resolvers = [
  JobsResolver,
  JobConnectionResolver,
  JobErrorResolver,
  TasksResolver,
  ThroughputResolver,
  LiveResolver,
  WebhooksResolver,
  EndpointsResolver,
  DeliveriesResolver,
  WebhookEventTypesResolver,
  QueueResolver,
  SchedulesResolver,
  ScheduleFireResolver,
  RetentionResolver,
  AlertsResolver,
  BulkJobsResolver,
  FailuresResolver,
  ViewerResolver,
  WorkersResolver,
  TaskWorkersResolver,
] as const;

/**
 * Subscriptions take their streams from `context.services.live` (see live/live.resolver.ts), so one
 * schema serves every bus. type-graphql still demands a pubSub for topic-based subscriptions, which we
 * don't declare: this one refuses use loudly.
 */
const noTopicPubSub = {
  publish(): never {
    throw new Error('publish through services.live.bus');
  },
  subscribe(): never {
    throw new Error('subscriptions here use subscribe(), not topics');
  },
};

export async function buildAppSchema(): Promise<GraphQLSchema> {
  return buildSchema({ resolvers, validate: false, pubSub: noTopicPubSub });
}

/** The text committed as the root `schema.graphql`: the reviewed contract. */
export async function printAppSchema(): Promise<string> {
  return `${printSchema(await buildAppSchema())}\n`;
}
