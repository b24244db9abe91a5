import { createPubSub } from '@graphql-yoga/subscription';

/** Every live-update topic in one place, with the payload each carries. */
export enum Topic {
  JOB_CREATED = 'JOB_CREATED',
  JOB_UPDATED = 'JOB_UPDATED',
  WEBHOOK_LOG_ADDED = 'WEBHOOK_LOG_ADDED',
  JOB_STATS = 'JOB_STATS',
}

export type PubSub = ReturnType<typeof createInProcessPubSub>;

export function createInProcessPubSub() {
  return createPubSub();
}
