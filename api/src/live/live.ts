import type { Orm } from '../db/orm.js';
import { createEventBus, type EventBus } from './pubsub.js';
import { LiveEvents } from './live-events.js';
import { StatsFeed } from './stats-feed.js';

/** The live-updates part of the app: the bus, the domain-event publisher and the stats feed. */
export interface Live {
  bus: EventBus;
  events: LiveEvents;
  stats: StatsFeed;
  close(): Promise<void>;
}

export async function createLive(orm: Orm, redisUrl: string | undefined, channelPrefix: string): Promise<Live> {
  const bus = await createEventBus(redisUrl, channelPrefix);
  const events = new LiveEvents(bus);
  const stats = new StatsFeed(orm, bus);
  return {
    bus,
    events,
    stats,
    async close() {
      events.close();
      await bus.close();
    },
  };
}
