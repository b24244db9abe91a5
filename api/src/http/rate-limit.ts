import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { RateLimitedError } from '../graphql/errors.js';

/**
 * Fixed-window rate limits. One store per process: in memory by default, in Redis when `REDIS_URL`
 * is set so that every API replica counts against the same window (the 101st `runJob` is refused
 * no matter which process it reaches).
 */

export interface WindowHit {
  /** Hits in the current window, this one included. */
  count: number;
  /** Milliseconds until the window resets. */
  resetInMs: number;
}

export interface RateLimitStore {
  hit(key: string, windowMs: number): Promise<WindowHit>;
  close(): Promise<void>;
}

export interface RateLimitDecision {
  allowed: boolean;
  remaining: number;
  /** Whole seconds until a refused client may try again (≥ 1). */
  retryAfterSeconds: number;
}

/** Per-process counters; expired windows are swept so that many distinct clients cannot grow the map. */
export function memoryStore(now: () => number = Date.now): RateLimitStore {
  const windows = new Map<string, { count: number; resetAt: number }>();
  const sweep = setInterval(() => {
    const t = now();
    for (const [key, w] of windows) if (w.resetAt <= t) windows.delete(key);
  }, 60_000);
  sweep.unref();
  return {
    async hit(key, windowMs) {
      const t = now();
      let w = windows.get(key);
      if (!w || w.resetAt <= t) {
        w = { count: 0, resetAt: t + windowMs };
        windows.set(key, w);
      }
      w.count += 1;
      return { count: w.count, resetInMs: w.resetAt - t };
    },
    async close() {
      clearInterval(sweep);
      windows.clear();
    },
  };
}

// INCRBY and the expiry in one atomic step: two replicas can never both open a fresh window.
const HIT_SCRIPT = `
local count = redis.call('INCRBY', KEYS[1], ARGV[2])
if count == tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}`;

/** A store that can count several hits in one step: what a locally batched store flushes into. */
export interface SharedStore extends RateLimitStore {
  hitMany(key: string, hits: number, windowMs: number): Promise<WindowHit>;
  /** Resolves once connected, or after `READY_WAIT_MS` without (the limits then fail open until it connects). */
  ready(): Promise<void>;
}

/** How long a starting server waits for the rate-limit store before it serves requests anyway. */
export const READY_WAIT_MS = 2_000;

export function redisStore(url: string, keyPrefix: string, onError: (err: unknown) => void): SharedStore {
  // No offline queue and one retry per command: a Redis outage must not stall requests behind it.
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 2_000, lazyConnect: false });
  redis.on('error', onError);
  redis.defineCommand('rateLimitHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
  const hitMany = async (key: string, hits: number, windowMs: number): Promise<WindowHit> => {
    const script = redis as unknown as { rateLimitHit(k: string, ms: number, n: number): Promise<[number, number]> };
    const [count, ttl] = await script.rateLimitHit(`${keyPrefix}ratelimit:${key}`, windowMs, hits);
    return { count: Number(count), resetInMs: Number(ttl) };
  };
  return {
    hitMany,
    hit: (key, windowMs) => hitMany(key, 1, windowMs),
    ready: () =>
      redis.status === 'ready'
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            const done = () => {
              clearTimeout(timer);
              redis.off('ready', done);
              resolve();
            };
            const timer = setTimeout(done, READY_WAIT_MS);
            redis.once('ready', done);
          }),
    async close() {
      redis.disconnect();
    },
  };
}

/** How often a locally batched store adds its counted hits to the shared window. */
export const SYNC_MS = 100;

interface LocalWindow {
  /** The shared count as of the last sync, this process's synced hits included. */
  shared: number;
  /** Hits this process admitted since, not yet added to the shared count. */
  unsynced: number;
  resetAt: number;
  syncedAt: number;
  windowMs: number;
}

/**
 * A shared window counted locally between syncs: a hit far from the limit is decided in memory and
 * added to the shared store within `SYNC_MS`; a hit on an unknown, stale or expired window, within a
 * tenth of `max` of the limit, or past half of what the window had left, waits for the shared count. For a limit in front of every request,
 * where a round trip to Redis per request would cost more than the request itself; the price is that
 * replicas may together admit a few more than `max` (what each admits in one sync period).
 */
export function locallyBatchedStore(
  shared: SharedStore,
  max: number,
  onError: (err: unknown) => void,
  now: () => number = Date.now,
): RateLimitStore {
  const windows = new Map<string, LocalWindow>();
  const margin = Math.max(1, Math.ceil(max / 10));
  const staleMs = 10 * SYNC_MS;

  const sync = async (key: string, hits: number, windowMs: number): Promise<WindowHit> => {
    const t = now();
    const hit = await shared.hitMany(key, hits, windowMs);
    const w = windows.get(key);
    // Hits admitted locally while the round trip was out stay unsynced on top of the fresh count.
    const pending = w && w.resetAt > t ? w.unsynced : 0;
    windows.set(key, { shared: hit.count, unsynced: pending, resetAt: t + hit.resetInMs, syncedAt: t, windowMs });
    return { count: hit.count + pending, resetInMs: hit.resetInMs };
  };

  const flush = setInterval(() => {
    const t = now();
    for (const [key, w] of windows) {
      if (w.resetAt <= t) windows.delete(key);
      else if (w.unsynced > 0) {
        const hits = w.unsynced;
        w.unsynced = 0;
        sync(key, hits, w.windowMs).catch(onError);
      }
    }
  }, SYNC_MS);
  flush.unref();

  return {
    async hit(key, windowMs) {
      const t = now();
      const w = windows.get(key);
      const fresh = w && w.resetAt > t && t - w.syncedAt < staleMs;
      // Local hits may take at most half of what the shared window had left at the last sync.
      if (!fresh || w.shared + w.unsynced + 1 > max - margin || 2 * (w.unsynced + 1) > max - w.shared) {
        const hits = (fresh ? w.unsynced : 0) + 1;
        if (fresh) w.unsynced = 0;
        return sync(key, hits, windowMs);
      }
      w.unsynced += 1;
      return { count: w.shared + w.unsynced, resetInMs: w.resetAt - t };
    },
    async close() {
      clearInterval(flush);
      windows.clear();
    },
  };
}

export function createRateLimitStore(config: Config, log: { warn(obj: object, msg: string): void }): RateLimitStore | SharedStore {
  if (!config.REDIS_URL) return memoryStore();
  let lastWarnAt = 0;
  return redisStore(config.REDIS_URL, config.REDIS_CHANNEL_PREFIX, (err) => {
    // Connection errors repeat on every reconnect attempt; one line a minute says enough.
    if (Date.now() - lastWarnAt < 60_000) return;
    lastWarnAt = Date.now();
    log.warn({ err }, 'rate limit store (Redis) unreachable: limits are not enforced until it returns');
  });
}

export class RateLimiter {
  constructor(
    private readonly store: RateLimitStore,
    readonly name: string,
    readonly max: number,
    readonly windowMs: number,
    private readonly onStoreError: (err: unknown) => void = () => {},
  ) {}

  async consume(client: string): Promise<RateLimitDecision> {
    let hit: WindowHit;
    try {
      hit = await this.store.hit(`${this.name}:${client}`, this.windowMs);
    } catch (err) {
      // Fail open: an unreachable Redis must not take the whole API down with it.
      this.onStoreError(err);
      return { allowed: true, remaining: this.max, retryAfterSeconds: 0 };
    }
    const allowed = hit.count <= this.max;
    return {
      allowed,
      remaining: Math.max(0, this.max - hit.count),
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil(hit.resetInMs / 1000)),
    };
  }

  /** Throws RATE_LIMITED (HTTP 429, `extensions.retryAfter` in seconds) when `client` is over the limit. */
  async enforce(client: string, hits = 1): Promise<void> {
    for (let i = 0; i < hits; i++) {
      const decision = await this.consume(client);
      if (!decision.allowed) {
        const error = new RateLimitedError(decision.retryAfterSeconds);
        (error.extensions as Record<string, unknown>).http = { status: 429 };
        throw error;
      }
    }
  }
}

/** Probes and scrapers poll these; starving them would turn a busy client into an outage. */
const UNLIMITED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * By default every finished job's webhook goes to this server's own receiver over loopback: those
 * deliveries must neither be refused nor use up the allowance of a dashboard opened on the same host.
 */
function isSelfDelivery(path: string, remoteAddress: string | undefined): boolean {
  return path === '/api/webhook-test' && remoteAddress !== undefined && LOOPBACK.has(remoteAddress);
}

/** The general per-IP limit, checked before any route (GraphQL, dashboard, webhook receiver) runs. */
export function registerGlobalRateLimit(app: FastifyInstance, limiter: RateLimiter): void {
  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0];
    if (UNLIMITED_PATHS.has(path) || isSelfDelivery(path, req.socket.remoteAddress)) return;
    const decision = await limiter.consume(`ip:${req.ip}`);
    reply.header('ratelimit-limit', limiter.max);
    reply.header('ratelimit-remaining', decision.remaining);
    if (decision.allowed) return;
    reply.header('retry-after', decision.retryAfterSeconds);
    return reply.code(429).send({
      error: 'Too Many Requests',
      code: 'RATE_LIMITED',
      message: `too many requests from this address: at most ${limiter.max} per ${limiter.windowMs / 1000} s; retry after ${decision.retryAfterSeconds} s`,
      retryAfter: decision.retryAfterSeconds,
    });
  });
}
