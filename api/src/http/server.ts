import type { ApolloServer } from '@apollo/server';
import { fastifyApolloDrainPlugin, fastifyApolloHandler } from '@as-integrations/fastify';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { Context } from '../graphql/context.js';
import type { DirectExecution } from '../graphql/direct-execution.js';

export const MAX_BODY_BYTES = 1024 * 1024;

export function createFastify(config: Config): FastifyInstance {
  const app = Fastify({
    logger: config.LOG_LEVEL === 'silent' ? false : { level: config.LOG_LEVEL },
    bodyLimit: MAX_BODY_BYTES,
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: 'x-request-id',
    // Trusting every X-Forwarded-For would let any client pick the IP the per-IP rate limit counts.
    // (A hop count is supported at run time; Fastify's typings omit the number form.)
    trustProxy: config.TRUST_PROXY as boolean | string,
    // One log line per request with its outcome is written by registerHttpSecurity.
    logController: new LogController({ disableRequestLogging: true }),
  });
  // Malformed JSON, oversize bodies and wrong content types are the client's mistake: 4xx with a reason.
  app.setErrorHandler((error: { statusCode?: number; message: string; code?: string }, req, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) req.log.error({ err: error }, 'request failed');
    return reply.code(status).send({
      error: status === 500 ? 'Internal Server Error' : 'Bad Request',
      code: error.code ?? (status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST'),
      message: status === 500 ? 'internal error: the failure was logged on the server' : error.message,
    });
  });
  return app;
}

/** `/graphql`: the common request executed directly (see DirectExecution), the rest by Apollo. */
export function registerGraphql(
  app: FastifyInstance,
  apollo: ApolloServer<Context>,
  context: (req: import('fastify').FastifyRequest) => Promise<Context>,
  direct: DirectExecution,
  counted: (executor: 'direct' | 'apollo') => void,
) {
  const viaApollo = fastifyApolloHandler(apollo, { context: async (req) => context(req) });
  app.route({
    url: '/graphql',
    method: ['GET', 'POST', 'OPTIONS'],
    handler: async function (req, reply) {
      if (await direct.answer(req, reply)) {
        counted('direct');
        return reply;
      }
      counted('apollo');
      return viaApollo.call(this, req, reply);
    },
  });
}

export { fastifyApolloDrainPlugin };
