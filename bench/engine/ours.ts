/**
 * Our engine, measured the way the product runs it:
 * - enqueue `via: 'internal'`: `JobsService.create` (what createJob/createJobs call after validation);
 *   `via: 'graphql'`: the real server (bootstrap, ROLE=api) over HTTP, `createJob` / `createJobs`.
 * - drain and latency: one `Engine` (runner + scheduler, as in a ROLE=worker process) with the product's
 *   finish hooks, so every completion writes its webhook outbox row and its throughput count in the same transaction — the
 *   durability the product promises. Sending the webhooks is not part of the figure (the peers send
 *   none); nor is publishing to subscribers (none are connected).
 */
import 'reflect-metadata';
import { join } from 'node:path';
import { bootstrap, type App } from '../../api/src/app.js';
import { loadConfig } from '../../api/src/config.js';
import type { Em } from '../../api/src/db/orm.js';
import { dialectOf, query, run } from '../../api/src/db/sql.js';
import { JobStatus } from '../../api/src/jobs/job.enums.js';
import { silentJobEvents, type JobEvents } from '../../api/src/jobs/job.events.js';
import { JobsService } from '../../api/src/jobs/jobs.service.js';
import { arrive, chunks, handlerCounter, latencyProbe, timeDrain } from '../lib/measure.mjs';
import { freshMariaDb, freshSqliteFile, mariaDbSettings, migratedOrm } from './database.js';
import { noopEngine, noopJob, outboxOnly } from './product.js';

interface Options {
  db: 'mariadb' | 'sqlite';
  via: 'internal' | 'graphql';
  timeoutMs: number;
}

export async function open({ db, via, timeoutMs }: Options) {
  const databaseUrl = db === 'mariadb' ? await freshMariaDb(`jobs_bench_ours_${via}`) : freshSqliteFile();
  const orm = await migratedOrm(databaseUrl);
  const base = loadConfig({
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'silent',
    NODE_ENV: 'production',
    AUTH_DISABLED: 'true',
    WEBHOOK_SECRET: 'bench-webhook-secret',
  });
  const em = () => orm.em.fork() as Em;
  const reset = async () => {
    for (const table of ['webhook_logs', 'webhook_deliveries', 'jobs']) {
      await run(em(), dialectOf(em()) === 'mysql' ? `truncate table ${table}` : `delete from ${table}`);
    }
  };
  const finished = async () =>
    Number((await query<{ n: number }>(em(), `select count(*) as n from jobs where status = '${JobStatus.COMPLETED}'`))[0].n);

  const webhooks = outboxOnly(orm, base);
  const engineFor = (concurrency: number, handler: (payload: Record<string, unknown>) => void) =>
    noopEngine(orm, base, webhooks, concurrency, handler);

  let app: App | null = null;
  if (via === 'graphql') {
    app = await bootstrap(
      loadConfig({
        DATABASE_URL: databaseUrl,
        ROLE: 'api',
        // createJob checks task names: the API must know bench.noop (the deployed bench's task module).
        TASKS_DIR: join(import.meta.dirname, '../deployed/tasks'),
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        NODE_ENV: 'production',
        WEBHOOK_SECRET: 'bench-webhook-secret',
        AUTH_DISABLED: 'true',
        // One client sends everything: the per-IP limit (3,000/min) would refuse the benchmark.
        GLOBAL_RATE_LIMIT_MAX: '100000000',
      }),
    );
  }
  const gql = async (queryText: string, variables: Record<string, unknown>) => {
    const res = await fetch(`${app!.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: queryText, variables }),
    });
    const body = (await res.json()) as { errors?: unknown[] };
    if (body.errors) throw new Error(`GraphQL error: ${JSON.stringify(body.errors).slice(0, 300)}`);
  };
  const gqlInput = (i: number) => ({ taskName: 'bench.noop', payload: { i } });
  const service = (events: JobEvents = silentJobEvents) => new JobsService(orm, events);

  return {
    version: `ours (${db === 'mariadb' ? 'MariaDB' : 'SQLite'}, ${via === 'graphql' ? 'GraphQL createJob/createJobs' : 'JobsService.create'})`,
    settings: db === 'mariadb' ? { mariadb: await mariaDbSettings() } : { sqlite: 'WAL, synchronous=NORMAL (better-sqlite3 via MikroORM)' },
    async enqueue({ n, batch }: { n: number; batch: number }) {
      await reset();
      const jobs = service();
      const t = performance.now();
      if (via === 'graphql') {
        if (batch === 1)
          for (let i = 0; i < n; i++) await gql('mutation($in: CreateJobInput!) { createJob(input: $in) { id } }', { in: gqlInput(i) });
        else
          for (const chunk of chunks(n, batch))
            await gql('mutation($in: [CreateJobInput!]!) { createJobs(inputs: $in) { id } }', { in: chunk.map(gqlInput) });
      } else if (batch === 1) for (let i = 0; i < n; i++) await jobs.create([noopJob(i)]);
      else for (const chunk of chunks(n, batch)) await jobs.create(chunk.map(noopJob));
      return { ms: performance.now() - t };
    },
    async drain({ n, concurrency }: { n: number; concurrency: number }) {
      await reset();
      const jobs = service();
      for (const chunk of chunks(n, 1000)) await jobs.create(chunk.map(noopJob));
      const counter = handlerCounter(n);
      const engine = engineFor(concurrency, () => counter.hit());
      engine.start();
      try {
        return await timeDrain(counter, async () => (await finished()) === n, timeoutMs);
      } finally {
        await engine.stop();
      }
    },
    async latency({ n, rate, concurrency }: { n: number; rate: number; concurrency: number }) {
      await reset();
      const probe = latencyProbe(n);
      const engine = engineFor(concurrency, (payload) => probe.start(Number(payload.i)));
      // As in ROLE=all: jobs created in this process wake its runner at once (no poll wait).
      const jobs = service(engine.events);
      engine.start();
      try {
        await arrive(n, rate, (i: number) => {
          probe.sent[i] = performance.now();
          return via === 'graphql'
            ? gql('mutation($in: CreateJobInput!) { createJob(input: $in) { id } }', { in: gqlInput(i) })
            : jobs.create([noopJob(i)]);
        });
        await probe.counter.done;
        return { samples: probe.samples() };
      } finally {
        await engine.stop();
      }
    },
    async close() {
      await app?.stop();
      await orm.close(true);
    },
  };
}
