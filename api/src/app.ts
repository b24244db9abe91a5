import 'reflect-metadata';
import type { FastifyRequest } from 'fastify';
import type { Config } from './config.js';
import { migrate, openOrm, type Orm } from './db/orm.js';
import { createApollo } from './graphql/apollo.js';
import type { Context, Services } from './graphql/context.js';
import { createInProcessPubSub } from './graphql/pubsub.js';
import { buildAppSchema } from './graphql/schema.js';
import { registerHealth } from './http/health.js';
import { createFastify, fastifyApolloDrainPlugin, registerGraphql } from './http/server.js';
import { defaultWebDist, registerDashboard } from './http/static.js';
import { silentJobEvents } from './jobs/job.events.js';
import { JobsService } from './jobs/jobs.service.js';

export interface App {
  url: string;
  orm: Orm;
  services: Services;
  stop: () => Promise<void>;
}

/** Starts the whole product for one config: database, GraphQL over HTTP, dashboard. Tests call it too. */
export async function bootstrap(config: Config): Promise<App> {
  const orm = await openOrm(config.database, config.DB_POOL_MAX);
  if (config.database.dialect === 'sqlite') await migrate(orm);

  const pubSub = createInProcessPubSub();
  const jobs = new JobsService(orm, silentJobEvents);
  const services: Services = { config, jobs, checkUrl: () => {} };

  const http = createFastify(config);
  const schema = await buildAppSchema(pubSub);
  const apollo = createApollo(schema, config, (err) => http.log.error({ err }, 'graphql resolver failed'), [
    fastifyApolloDrainPlugin(http),
  ]);
  await apollo.start();

  const context = async (req: FastifyRequest): Promise<Context> => ({
    services,
    viewer: { name: 'anonymous', role: 'admin' },
    clientId: req.ip,
  });
  registerGraphql(http, apollo, context);
  registerHealth(http, orm);
  await registerDashboard(http, config.WEB_DIST ?? defaultWebDist());

  await http.listen({ port: config.PORT, host: config.HOST });
  const address = http.server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = `http://127.0.0.1:${port}`;

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      await http.close();
      await orm.close(true);
    })());
  return { url, orm, services, stop };
}
