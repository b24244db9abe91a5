import type { FastifyInstance } from 'fastify';
import type { Orm } from '../db/orm.js';

/** `/healthz`: the process answers. `/readyz`: the database answers too (503 otherwise). */
export function registerHealth(app: FastifyInstance, orm: Orm): void {
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (req, reply) => {
    try {
      await orm.em.getConnection().execute('select 1');
      return { ok: true, database: 'up' };
    } catch (error) {
      // The driver's message can name hosts and users: it goes to the log, not to whoever probes.
      req.log.warn({ err: error }, 'readiness check: database unreachable');
      return reply.code(503).send({ ok: false, database: 'down', error: 'the database is unreachable' });
    }
  });
}
