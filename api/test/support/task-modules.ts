import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Orm } from '../../src/db/orm.js';
import { forSuite, type TestServer } from './server.js';
import type { AppProcess } from './app-process.js';

/**
 * Task modules for integration tests: folders of `.ts` / `.mjs` files written into the system's
 * temporary folder (outside the repository), given to servers as TASKS_DIR.
 */

/** A fresh folder under os.tmpdir() holding these files (name → source); returns its absolute path. */
export function writeTasksDir(files: Record<string, string>, prefix = 'jobs-tasks-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [name, source] of Object.entries(files)) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, source);
  }
  return dir;
}

/**
 * A TASKS_DIR for the enclosing `describe` (removed after its last test). A fresh folder per suite,
 * so each server imports its own copies of the modules (module state is never shared between suites).
 */
export function tasksDirForSuite(files: Record<string, string> | (() => Record<string, string>)): () => string {
  return forSuite(
    async () => writeTasksDir(typeof files === 'function' ? files() : files),
    (dir) => rmSync(dir, { recursive: true, force: true }),
  );
}

/** A file a task module appends one JSON line per run to (its path goes in the payload as `runsFile`). */
export function newRunsFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'jobs-runs-'));
  return join(dir, 'runs.jsonl');
}

/** The runs a module recorded in `runsFile`, in order. */
export function readRuns<T = Record<string, any>>(runsFile: string): T[] {
  if (!existsSync(runsFile)) return [];
  return readFileSync(runsFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);
}

/** For in-test use only (never inside a module): appends a line the way modules do. */
export function appendRun(runsFile: string, run: Record<string, unknown>): void {
  appendFileSync(runsFile, `${JSON.stringify(run)}\n`);
}

/**
 * Source of a snippet modules inline to record a run: `record(job, ctx, extra)` appends
 * `{ jobId, attempt, at, runAt, ...extra }` to `job.payload.runsFile` when the payload names one.
 */
export const RECORD_RUN = `
import { appendFileSync } from 'node:fs';
function record(job, ctx, extra = {}) {
  const file = job.payload && job.payload.runsFile;
  if (typeof file !== 'string') return;
  const runAt = job.runAt instanceof Date ? job.runAt.toISOString() : job.runAt ?? null;
  appendFileSync(file, JSON.stringify({ jobId: String(job.id), attempt: ctx.attempt, worker: ctx.worker, at: Date.now(), runAt, ...extra }) + '\\n');
}
`;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a value other than undefined; fails naming `what` and the last value seen. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 10_000,
  lastSeen?: () => unknown,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      throw new Error(`expected ${what} within ${timeoutMs} ms; last seen: ${JSON.stringify(lastSeen?.() ?? value)}`);
    }
    await sleep(25);
  }
}

/** Jobs in the server's database now (jobStats.total), with an optional auth header. */
export async function countJobs(server: TestServer, headers: Record<string, string> = {}): Promise<number> {
  const res = await server.gql('{ jobStats { total } }', {}, headers);
  if (res.errors) throw new Error(`jobStats failed: ${JSON.stringify(res.errors)}`);
  return res.data.jobStats.total as number;
}

/** Rows of a table that belong to one job, read straight from the database. */
export async function rowsOfJob(orm: Orm, table: 'job_errors' | 'job_logs' | 'jobs', jobId: string | number): Promise<number> {
  const column = table === 'jobs' ? 'id' : 'job_id';
  const rows = (await orm.em
    .fork()
    .getConnection()
    .execute(`select count(*) as n from ${table} where ${column} = ?`, [Number(jobId)])) as {
    n: number | string;
  }[];
  return Number(rows[0].n);
}

/** Everything a `src/main.ts` process printed to stderr, collected from its start. */
export function stderrOf(p: AppProcess): () => string {
  let text = '';
  p.child.stderr!.on('data', (chunk: string | Buffer) => (text += chunk.toString()));
  return () => text;
}

/** The first GraphQL error of a result, shaped for assertion messages. */
export function firstError(res: { errors?: { message: string; extensions?: Record<string, any> }[] }) {
  const e = res.errors?.[0];
  return { code: e?.extensions?.code as string | undefined, field: e?.extensions?.field as string | undefined, message: e?.message ?? '' };
}

/** Limits high enough that polling tests never meet the per-IP rate limit. */
export const NO_RATE_LIMITS = { GLOBAL_RATE_LIMIT_MAX: '1000000', RATE_LIMIT_MAX: '1000000' };

/** Reads one job with the given fields (and auth headers); throws on GraphQL errors. */
export async function readJob(server: TestServer, id: string, fields: string, headers: Record<string, string> = {}): Promise<any> {
  const res = await server.gql(`query($id: ID!) { job(id: $id) { ${fields} } }`, { id }, headers);
  if (res.errors) throw new Error(`job(${id}) failed: ${JSON.stringify(res.errors)}`);
  return res.data.job;
}

/** Polls a job until `done(job)` holds; fails with the last state seen. */
export async function waitForJobWith(
  server: TestServer,
  id: string,
  fields: string,
  done: (job: any) => boolean,
  headers: Record<string, string> = {},
  timeoutMs = 15_000,
): Promise<any> {
  let last: unknown;
  return eventually(
    `job ${id} to reach the awaited state`,
    async () => {
      const job = await readJob(server, id, fields, headers);
      last = job;
      return done(job) ? job : undefined;
    },
    timeoutMs,
    () => last,
  );
}

export const finished = (job: { status: string }) => ['COMPLETED', 'FAILED', 'CANCELLED'].includes(job.status);

/** Tokens for suites that run in production mode: one admin, one viewer. */
export const ADMIN = 'admin-token-0123456789';
export const VIEWER = 'viewer-token-9876543210';
export const TOKENS = `ops:admin:${ADMIN},dash:viewer:${VIEWER}`;
export const admin = { authorization: `Bearer ${ADMIN}` };
export const viewer = { authorization: `Bearer ${VIEWER}` };
