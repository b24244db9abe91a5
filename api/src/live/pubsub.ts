import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub } from '@graphql-yoga/subscription';
import { setMaxListeners } from 'node:events';
import { Repeater, SlidingBuffer } from '@repeaterjs/repeater';
import { Redis } from 'ioredis';

/** Every live-update topic in one place. Payloads are plain JSON so they cross Redis unchanged. */
export enum Topic {
  JOB_CREATED = 'jobs:created',
  JOB_UPDATED = 'jobs:updated',
  WEBHOOK_LOG_ADDED = 'jobs:webhook-log-added',
  JOB_LOG_ADDED = 'jobs:log-added',
  /** A bulk change's summary: one per chunk, instead of a jobUpdated per job. */
  JOBS_CHANGED = 'jobs:changed',
  /** Each job of a bulk change, for subscribers of that job's id only. */
  JOB_UPDATED_IN_BULK = 'jobs:updated-in-bulk',
  /** A remote worker's lease changed under it (its job was cancelled, or taken back): `leaseEvents(workerId)`. */
  LEASE_EVENT = 'workers:lease-event',
  /** An alert fired or resolved (`alertChanged`). */
  ALERT_CHANGED = 'alerts:changed',
}

/** A Job as published: the GraphQL Job fields, dates as ISO strings or Date. */
export type JobMessage = Record<string, unknown> & { id: number | string; status: string };
export type WebhookLogMessage = Record<string, unknown> & { id: number | string; jobId: number | string };
export type JobLogMessage = Record<string, unknown> & { jobId: number | string; seq: number };
export type JobsChangedMessage = { action: string; count: number; ids: string[] };
export type LeaseEventMessage = { workerId: string; token: string; status: string; expiresAt: string | null };

export type Topics = {
  [Topic.JOB_CREATED]: [JobMessage];
  [Topic.JOB_UPDATED]: [JobMessage];
  [Topic.WEBHOOK_LOG_ADDED]: [WebhookLogMessage];
  [Topic.JOB_LOG_ADDED]: [JobLogMessage];
  [Topic.JOBS_CHANGED]: [JobsChangedMessage];
  [Topic.JOB_UPDATED_IN_BULK]: [JobMessage];
  [Topic.LEASE_EVENT]: [LeaseEventMessage];
  [Topic.ALERT_CHANGED]: [Record<string, unknown> & { id: string }];
};

type Channels = Record<string, [unknown]>;
export type PubSub = ReturnType<typeof createPubSub<Channels>>;

export interface EventBus {
  publish<T extends Topic>(topic: T, payload: Topics[T][0]): void;
  subscribe<T extends Topic>(topic: T): AsyncIterableIterator<Topics[T][0]> & { return?(): Promise<unknown> };
  /** `memory` in one process; `redis` carries events between every API and worker process. */
  transport: 'memory' | 'redis';
  close(): Promise<void>;
}

/**
 * In-process by default. With a Redis URL every process publishes to Redis and receives its own
 * events back from it, so a subscriber sees one ordered stream whichever process produced the event.
 */
export async function createEventBus(redisUrl?: string, channelPrefix = 'jobs-scheduler:'): Promise<EventBus> {
  if (!redisUrl) {
    // One listener per live subscription: thousands are expected, not a leak.
    const eventTarget = new EventTarget();
    setMaxListeners(0, eventTarget);
    return wrap(createPubSub<Channels>({ eventTarget: eventTarget as never }), eventTarget, 'memory', channelPrefix, async () => {});
  }
  const options = { lazyConnect: true, maxRetriesPerRequest: null, enableOfflineQueue: true };
  const publishClient = new Redis(redisUrl, options);
  const subscribeClient = new Redis(redisUrl, options);
  // ioredis reports connection trouble as 'error' events; unhandled they would crash the process.
  for (const client of [publishClient, subscribeClient]) client.on('error', () => {});
  await Promise.all([publishClient.connect(), subscribeClient.connect()]);
  const eventTarget = createRedisEventTarget<CustomEvent>({ publishClient, subscribeClient });
  return wrap(
    createPubSub<Channels>({ eventTarget: eventTarget as never }),
    eventTarget as unknown as EventTarget,
    'redis',
    channelPrefix,
    async () => {
      publishClient.disconnect();
      subscribeClient.disconnect();
    },
  );
}

/** A created job is also an update of it: it travels once, on JOB_CREATED, and JOB_UPDATED's subscribers receive it too. */
const ALSO_RECEIVES: Partial<Record<Topic, Topic[]>> = { [Topic.JOB_UPDATED]: [Topic.JOB_CREATED] };

/** Messages one subscriber may fall behind by; past it the oldest go, so a slow client cannot take the process down. */
export const SUBSCRIBER_BUFFER = 10_000;

/**
 * Channels are prefixed so several deployments (or test servers) can share one Redis. Each
 * subscription buffers in a sliding window of its own: the pub/sub's default stream throws once 1,024
 * messages wait for a slow consumer, and that throw escapes the publisher as an uncaught exception.
 */
function wrap(pubSub: PubSub, target: EventTarget, transport: EventBus['transport'], prefix: string, close: () => Promise<void>): EventBus {
  const batched = transport === 'redis' ? batchPublisher(pubSub) : null;
  return {
    transport,
    close,
    publish: (topic, payload) => (batched ? batched(`${prefix}${topic}`, payload) : pubSub.publish(`${prefix}${topic}`, payload)),
    subscribe: (topic) =>
      new Repeater<unknown>((push, stop) => {
        const one = (event: Event) => void push((event as CustomEvent).detail);
        const many = (event: Event) => {
          for (const item of (event as CustomEvent).detail as unknown[]) void push(item);
        };
        for (const t of [topic, ...(ALSO_RECEIVES[topic] ?? [])]) {
          const name = `${prefix}${t}`;
          target.addEventListener(name, one);
          target.addEventListener(`${name}${BATCH}`, many);
          void stop.then(() => {
            target.removeEventListener(name, one);
            target.removeEventListener(`${name}${BATCH}`, many);
          });
        }
      }, new SlidingBuffer(SUBSCRIBER_BUFFER)) as never,
  };
}

/** The channel suffix of a batch: one Redis message carrying every event of one topic from one tick. */
const BATCH = '#batch';

/**
 * Over Redis, the events of one topic published in the same tick (a createJobs of 1,000, a finish batch)
 * travel as one message holding them in order, not one message each: each message costs a publish,
 * a JSON round and a dispatch in every process. Subscribers unpack them in order.
 */
function batchPublisher(pubSub: PubSub): (channel: string, payload: unknown) => void {
  let pending: Map<string, unknown[]> | null = null;
  return (channel, payload) => {
    if (!pending) {
      const batch = (pending = new Map());
      queueMicrotask(() => {
        pending = null;
        for (const [name, items] of batch) pubSub.publish(`${name}${BATCH}`, items);
      });
    }
    const items = pending.get(channel);
    if (items) items.push(payload);
    else pending.set(channel, [payload]);
  };
}
