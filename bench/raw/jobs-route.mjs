/**
 * The GraphQL limit: a bare Fastify route answering with exactly the JSON our `jobs(limit: 20)` query
 * returns for the same fields (the runner checks that the two bodies are equal before timing), from the
 * same MariaDB database, with bare mysql2 and no GraphQL, ORM, auth, limits or logging.
 *
 *   BENCH_HTTP_DB=mysql://root@127.0.0.1:3306/jobs_bench_http node bench/raw/jobs-route.mjs   → prints "URL http://…"
 */
import Fastify from 'fastify';
import mysql from 'mysql2/promise';

const PRIORITY = ['LOW', 'MEDIUM', 'HIGH'];
const pool = mysql.createPool({ uri: process.env.BENCH_HTTP_DB, connectionLimit: 20, timezone: 'Z' });
const app = Fastify({ logger: false });

app.post('/graphql', async () => {
  const [[rows], [[{ total }]]] = await Promise.all([
    pool.query(
      'select id, task_name, status, priority, attempts, progress, run_at, created_at, updated_at from jobs order by created_at desc, id desc limit 20',
    ),
    pool.query('select count(*) as total from jobs'),
  ]);
  return {
    data: {
      jobs: {
        total: Number(total),
        jobs: rows.map((r) => ({
          id: String(r.id),
          taskName: r.task_name,
          status: r.status,
          priority: PRIORITY[r.priority],
          attempts: r.attempts,
          progress: r.progress,
          runAt: r.run_at.toISOString(),
          createdAt: r.created_at.toISOString(),
          updatedAt: r.updated_at.toISOString(),
        })),
      },
    },
  };
});

await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`URL http://127.0.0.1:${app.server.address().port}/graphql`);
process.on('SIGTERM', () =>
  app
    .close()
    .then(() => pool.end())
    .then(() => process.exit(0)),
);
