#!/usr/bin/env node
/**
 * Live-update fan-out: starts the API (ROLE=api, embedded SQLite, in-process pub/sub), opens 1, 100
 * and 1,000 graphql-ws subscribers (one socket each) on `jobUpdated(id)`, then changes the job 100 times.
 * Reports commit-to-receive latency (event's updatedAt → arrival at each subscriber) p50/p99, and
 * delivered messages per second while the updates stream.
 *
 *   npm run bench:realtime            (root)   ·   --quick: 1 and 100 subscribers, 50 updates
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const quick = process.argv.includes('--quick');
const FANOUTS = quick ? [1, 100] : [1, 100, 1000];
const UPDATES = quick ? 50 : 100;
const apiDir = fileURLToPath(new URL('../../api', import.meta.url));
const port = 5600 + Math.floor(Math.random() * 300);
const url = `http://127.0.0.1:${port}`;

// One node process with tsx as a loader: a signal to `npx tsx` never reached the server behind it.
const server = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
  cwd: apiDir,
  // The runJob rate limit protects production; the bench calls runJob hundreds of times on purpose.
  env: {
    ...process.env,
    ROLE: 'api',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    RATE_LIMIT_MAX: '1000000',
    GLOBAL_RATE_LIMIT_MAX: '1000000',
    DATABASE_URL: join(mkdtempSync(join(tmpdir(), 'bench-rt-')), 'jobs.sqlite'),
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});
process.on('exit', () => server.kill('SIGTERM'));
for (
  let i = 0;
  i < 240 &&
  !(await fetch(`${url}/readyz`).then(
    (r) => r.ok,
    () => false,
  ));
  i++
)
  await sleep(250);

const gql = async (query, variables) => {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
};

const results = [];
for (const subscribers of FANOUTS) {
  const { createJob } = await gql('mutation { createJob(input: { taskName: "bench-rt", runAt: "2099-01-01T00:00:00.000Z" }) { id } }');
  const latencies = [];
  let delivered = 0;
  let lastArrival = 0;
  const clients = [];
  for (let i = 0; i < subscribers; i++) {
    const client = createClient({ url: `${url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0 });
    clients.push(client);
    client.subscribe(
      { query: 'subscription($id: ID) { jobUpdated(id: $id) { updatedAt } }', variables: { id: createJob.id } },
      {
        next: ({ data }) => {
          const now = Date.now();
          latencies.push(now - Date.parse(data.jobUpdated.updatedAt));
          delivered++;
          lastArrival = now;
        },
        error: () => {},
        complete: () => {},
      },
    );
  }
  await sleep(1000 + subscribers * 3); // let every subscription register
  const started = Date.now();
  for (let i = 0; i < UPDATES; i++)
    await gql(`mutation($id: ID!) { ${i % 2 ? 'runJob' : 'cancelJob'}(id: $id) { id } }`, { id: createJob.id });
  const expected = UPDATES * subscribers;
  for (let i = 0; i < 600 && delivered < expected; i++) await sleep(50);
  latencies.sort((a, b) => a - b);
  const pick = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  results.push({
    subscribers,
    updates: UPDATES,
    delivered,
    expected,
    p50Ms: pick(0.5),
    p99Ms: pick(0.99),
    messagesPerSecond: Math.round(delivered / ((lastArrival - started) / 1000)),
  });
  await Promise.all(clients.map((c) => c.dispose()));
}

console.log(
  '\n| subscribers | updates | delivered / expected | p50 ms | p99 ms | messages/s |\n| ---: | ---: | ---: | ---: | ---: | ---: |',
);
for (const r of results)
  console.log(
    `| ${r.subscribers} | ${r.updates} | ${r.delivered} / ${r.expected} | ${r.p50Ms} | ${r.p99Ms} | ${r.messagesPerSecond.toLocaleString('en')} |`,
  );
server.kill('SIGTERM');
await new Promise((resolve) => server.once('exit', resolve));
process.exit(results.every((r) => r.delivered === r.expected) ? 0 : 1);

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
