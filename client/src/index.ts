/** The scheduler's typed client: create and watch jobs (JobsClient), run jobs in your own service (Worker). */
export { JobsClient, subscribe, subscriptions } from './jobs-client.js';
export { Worker, type WorkerOptions } from './worker.js';
export { GraphQLRequestError, request, type Endpoint } from './graphql.js';
export { defineTask, NonRetryableError, Snooze, type TaskContext, type TaskDefinition } from '@jobs/api/tasks';
export type * from './generated/graphql.js';
