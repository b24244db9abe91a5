import fastifyCors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { warnIfOpen } from './auth.js';
import { createRateLimitStore, locallyBatchedStore, RateLimiter, registerGlobalRateLimit } from './rate-limit.js';

/**
 * Everything the HTTP server does around the routes: CORS for the dashboard's origin, a request id on
 * every response and one JSON log line per request, and the per-IP rate limit. Registered before any
 * route so its hooks cover them all.
 */
export interface HttpSecurity {
  /** `runJob` calls per client, shared through Redis when `REDIS_URL` is set. */
  runJobLimiter: RateLimiter;
  close(): Promise<void>;
}

/** `FRONTEND_URL` may list several origins, comma-separated (e.g. the dev server and the public site). */
export function allowedOrigins(frontendUrl: string): string[] {
  return frontendUrl
    .split(',')
    .map((s) => s.trim().replace(/\/+$/, ''))
    .filter(Boolean);
}

export async function registerHttpSecurity(app: FastifyInstance, config: Config): Promise<HttpSecurity> {
  warnIfOpen(config, (message) => app.log.warn(message));

  await app.register(fastifyCors, {
    origin: allowedOrigins(config.FRONTEND_URL),
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['content-type', 'authorization', 'apollo-require-preflight', 'x-apollo-operation-name', 'x-request-id'],
    exposedHeaders: ['x-request-id', 'retry-after', 'ratelimit-limit', 'ratelimit-remaining'],
    maxAge: 600,
  });

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    // A person opening /graphql in a browser wants the explorer, not a 400 about a missing query.
    if (req.method === 'GET' && req.url === '/graphql' && /text\/html/.test(req.headers.accept ?? '')) {
      return reply.redirect('/playground', 302);
    }
  });
  // Fastify's own request logging writes two lines per request; one line with the outcome is enough.
  app.addHook('onResponse', async (req, reply) => {
    req.log.info(
      { method: req.method, url: req.url, statusCode: reply.statusCode, durationMs: Math.round(reply.elapsedTime * 10) / 10, ip: req.ip },
      'request',
    );
  });

  let lastStoreWarnAt = 0;
  const onStoreError = (err: unknown) => {
    if (Date.now() - lastStoreWarnAt < 60_000) return;
    lastStoreWarnAt = Date.now();
    app.log.warn({ err }, 'rate limit store failed: allowing the request');
  };
  const store = createRateLimitStore(config, app.log);
  // Requests served before Redis connects would not be counted at all.
  if ('ready' in store) await store.ready();
  // The per-IP limit runs before every request: over Redis it counts locally between syncs; runJob's stays exact.
  const globalStore = 'hitMany' in store ? locallyBatchedStore(store, config.GLOBAL_RATE_LIMIT_MAX, onStoreError) : store;
  const global = new RateLimiter(globalStore, 'global', config.GLOBAL_RATE_LIMIT_MAX, config.GLOBAL_RATE_LIMIT_WINDOW, onStoreError);
  registerGlobalRateLimit(app, global);
  const runJobLimiter = new RateLimiter(store, 'runJob', config.RATE_LIMIT_MAX, config.RATE_LIMIT_WINDOW, onStoreError);

  return {
    runJobLimiter,
    close: async () => {
      if (globalStore !== store) await globalStore.close();
      await store.close();
    },
  };
}
