/**
 * A typed client in another service: it enqueues a job, then watches every job change live over
 * graphql-ws, with types generated from the committed schema.graphql (`npm run codegen`).
 *
 *   npx tsx api/examples/watch-jobs.ts [http://localhost:5000] [token]
 */
import { print } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { EnqueueJobDocument, WatchJobsDocument, type EnqueueJobMutation, type WatchJobsSubscription } from './generated/graphql.js';

const base = process.argv[2] ?? 'http://localhost:5000';
const token = process.argv[3] ?? process.env.API_TOKEN;
const headers: Record<string, string> = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };

const client = createClient({
  url: `${base.replace(/^http/, 'ws')}/graphql`,
  webSocketImpl: WebSocket,
  connectionParams: token ? { authorization: `Bearer ${token}` } : {},
});

const stop = client.subscribe<WatchJobsSubscription>(
  { query: print(WatchJobsDocument) },
  {
    next: ({ data, errors }) => {
      if (errors) return console.error('subscription error:', errors.map((e) => e.message).join('; '));
      const job = data?.jobUpdated;
      if (!job) return;
      const progress = job.progress == null ? '' : ` ${Math.round(job.progress * 100)}%`;
      console.log(`job ${job.id} ${job.taskName}: ${job.status}${progress}${job.lastError ? ` — ${job.lastError}` : ''}`);
    },
    error: (err) => console.error('connection closed:', err),
    complete: () => console.log('subscription complete'),
  },
);

const res = await fetch(`${base}/graphql`, {
  method: 'POST',
  headers,
  body: JSON.stringify({
    query: print(EnqueueJobDocument),
    variables: { input: { taskName: 'example-report', payload: { durationMs: 1500 }, priority: 'HIGH' } },
  }),
});
const { data, errors } = (await res.json()) as { data?: EnqueueJobMutation; errors?: { message: string }[] };
if (errors) console.error('createJob failed:', errors.map((e) => e.message).join('; '));
else console.log(`enqueued job ${data!.createJob.id}; watching for 10 s…`);

setTimeout(async () => {
  stop();
  await client.dispose();
}, 10_000);
