/**
 * The client of `npm run bench:deployed`, in a process of its own (plain node, types stripped): creates
 * `bench.noop` jobs over HTTP the way an application would, with the API token, through one keep-alive
 * agent (at most 50 connections). The parent asks over IPC:
 *
 * - `enqueue { n, batch, tag }`: `createJob` one by one, each awaited (batch 1), or `createJobs` in
 *   batches of `batch`, one request after another; answers how long it took.
 * - `arrive { n, rate, tag }`: open loop: job i's `createJob` is due at start + i / rate and is sent then,
 *   whatever happened to the earlier ones. Answers `start` (wall clock ms, the clock the receiver stamps
 *   arrivals with): job i's latency is measured from its due time, so a late send counts against it.
 *
 * Every job's payload is `{ tag, i }`; its webhook carries the payload back to the receiver.
 */
import { Agent, request } from 'node:http';

const url = new URL('/graphql', process.env.API_URL);
const token = process.env.API_TOKEN ?? '';
const agent = new Agent({ keepAlive: true, maxSockets: 50 });
const wall = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const CREATE_JOB = 'mutation($in: CreateJobInput!) { createJob(input: $in) { id } }';
const CREATE_JOBS = 'mutation($in: [CreateJobInput!]!) { createJobs(inputs: $in) { id } }';
const input = (tag: string, i: number) => ({ taskName: 'bench.noop', payload: { tag, i } });

interface Outcome {
  errors: number;
  firstError: string | null;
}

/** One GraphQL request; resolves with the problem, or null when it succeeded. */
function post(query: string, variables: object): Promise<string | null> {
  const body = JSON.stringify({ query, variables });
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) return resolve(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
          try {
            const parsed = JSON.parse(text) as { errors?: unknown[] };
            resolve(parsed.errors ? `GraphQL error: ${JSON.stringify(parsed.errors).slice(0, 200)}` : null);
          } catch {
            resolve(`unparsable answer: ${text.slice(0, 200)}`);
          }
        });
        res.on('error', (e) => resolve(`response: ${e.message}`));
      },
    );
    req.on('error', (e) => resolve(`request: ${e.message}`));
    req.end(body);
  });
}

function tally(outcome: Outcome, problem: string | null): void {
  if (problem === null) return;
  outcome.errors++;
  outcome.firstError ??= problem;
}

async function enqueue({ n, batch, tag }: { n: number; batch: number; tag: string }) {
  const outcome: Outcome = { errors: 0, firstError: null };
  const t = performance.now();
  if (batch === 1) for (let i = 0; i < n; i++) tally(outcome, await post(CREATE_JOB, { in: input(tag, i) }));
  else
    for (let from = 0; from < n; from += batch) {
      const inputs = Array.from({ length: Math.min(batch, n - from) }, (_, k) => input(tag, from + k));
      tally(outcome, await post(CREATE_JOBS, { in: inputs }));
    }
  return { ms: performance.now() - t, ...outcome };
}

async function arrive({ n, rate, tag }: { n: number; rate: number; tag: string }) {
  const outcome: Outcome = { errors: 0, firstError: null };
  const start = wall() + 20;
  const sends: Promise<void>[] = [];
  let lagMaxMs = 0;
  for (let i = 0; i < n; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - wall();
    if (wait > 1) await sleep(wait);
    lagMaxMs = Math.max(lagMaxMs, wall() - due);
    sends.push(post(CREATE_JOB, { in: input(tag, i) }).then((p) => tally(outcome, p)));
  }
  const sentMs = wall() - start;
  await Promise.all(sends);
  return { start, rate, n, sentMs, answeredMs: wall() - start, lagMaxMs, ...outcome };
}

type Request =
  | { id: number; type: 'enqueue'; n: number; batch: number; tag: string }
  | { id: number; type: 'arrive'; n: number; rate: number; tag: string };
process.on('message', async (m: Request) => {
  try {
    const reply = m.type === 'enqueue' ? await enqueue(m) : await arrive(m);
    process.send!({ id: m.id, ...reply });
  } catch (error) {
    process.send!({ id: m.id, failed: error instanceof Error ? error.message : String(error) });
  }
});
process.on('disconnect', () => process.exit(0));
process.send!({ id: 0, ready: true });
