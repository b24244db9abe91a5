import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { migrate, openOrm, type Em, type Orm } from '../src/db/orm.js';
import { query } from '../src/db/sql.js';
import { startedByTests, testDatabases, type TestServer } from './support/server.js';
import { deliveriesOf, eventually, finishJobWithDelivery, Receiver } from './support/webhooks.js';

const API_DIR = fileURLToPath(new URL('..', import.meta.url));

/** The real entry point in its own process, so it can be killed without a chance to clean up. */
function startProcess(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: API_DIR,
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1', WORKER_POLL_MS: '50', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

async function logCount(orm: Orm, jobId: number): Promise<number> {
  const [row] = await query<{ n: number }>(orm.em.fork() as Em, 'select count(*) as n from webhook_logs where job_id = ?', [jobId]);
  return Number(row.n);
}

// MySQL through the mysql driver runs the same SQL as MariaDB: SQLite and MariaDB cover both claim paths.
describe.each(testDatabases().filter((d) => d.name !== 'mysql'))('webhook delivery across a crash on $name', (db) => {
  // Each test's database connection, processes and servers go after it; its receiver after the last test.
  const started = startedByTests('each');
  const receivers = startedByTests('all');
  let orm: Orm;

  async function prepare(script: ConstructorParameters<typeof Receiver>[0], path: string) {
    const receiver = receivers.add(await new Receiver(script).start(), (r) => r.close());
    const url = await db.create();
    orm = started.add(await openOrm(loadConfig({ DATABASE_URL: url }).database), (o) => o.close(true));
    await migrate(orm);
    // A trusted target (the operator's OUTBOUND_WEBHOOK): the loopback receiver needs no opt-in.
    const job = await finishJobWithDelivery(orm.em as Em, { url: `${receiver.url}${path}`, trusted: true });
    return { receiver, url, jobId: job.id };
  }

  it('killed between attempt 1 and 2: after restart attempt 2 goes out with the same webhook-id', async () => {
    const env = { WEBHOOK_RETRY_BASE_MS: '3000' };
    const { receiver, url, jobId } = await prepare({ '/hook': (n) => ({ status: n === 1 ? 500 : 200 }) }, '/hook');
    const child = started.add(startProcess({ ...env, DATABASE_URL: url }), kill);
    await eventually(async () => (await logCount(orm, jobId)) === 1, 40_000, 'attempt 1 to be logged by the child process');
    await kill(child);

    const [pending] = await deliveriesOf({ orm } as TestServer, jobId);
    expect(pending).toMatchObject({ status: 'PENDING', attempts: 1 });
    // Stay down until the retry is overdue: it must still go out after the restart.
    await new Promise((r) => setTimeout(r, 3700));
    expect(receiver.hits).toHaveLength(1);

    await started.server(db, { ...env, DATABASE_URL: url });
    const startedAt = Date.now();
    await eventually(() => receiver.hits.length === 2, 20_000, 'attempt 2 after the restart');
    expect(receiver.hits[1].at - startedAt).toBeLessThan(5000);
    expect(receiver.hits[1].headers['webhook-id']).toBe(receiver.hits[0].headers['webhook-id']);
    expect(receiver.hits[1].body).toBe(receiver.hits[0].body);
    await eventually(async () => (await logCount(orm, jobId)) === 2, 10_000, 'attempt 2 to be logged');
    const after = await query<{ attempt: number; response_status: number }>(
      orm.em.fork() as Em,
      'select attempt, response_status from webhook_logs where job_id = ? order by attempt',
      [jobId],
    );
    expect(after.map((l) => [Number(l.attempt), Number(l.response_status)])).toEqual([
      [1, 500],
      [2, 200],
    ]);
  }, 90_000);

  it('killed during an attempt: the lease expires and another process sends it again', async () => {
    const env = { WEBHOOK_TIMEOUT_MS: '3000', LEASE_MS: '1000' };
    const { receiver, url, jobId } = await prepare({ '/slow': (n) => (n === 1 ? 'hang' : { status: 200 }) }, '/slow');
    const child = started.add(startProcess({ ...env, DATABASE_URL: url }), kill);
    await eventually(() => receiver.hits.length === 1, 40_000, 'attempt 1 to reach the receiver');
    await kill(child);
    const [sending] = await deliveriesOf({ orm } as TestServer, jobId);
    expect(sending).toMatchObject({ status: 'SENDING', attempts: 0 });

    await started.server(db, { ...env, DATABASE_URL: url });
    await eventually(() => receiver.hits.length === 2, 20_000, 'the attempt to be sent again');
    expect(receiver.hits[1].headers['webhook-id']).toBe(receiver.hits[0].headers['webhook-id']);
    await eventually(async () => (await deliveriesOf({ orm } as TestServer, jobId))[0].status === 'DELIVERED', 10_000, 'delivered');
    const logs = await query<{ attempt: number; response_status: number }>(
      orm.em.fork() as Em,
      'select attempt, response_status from webhook_logs where job_id = ?',
      [jobId],
    );
    expect(logs.map((l) => [Number(l.attempt), Number(l.response_status)])).toEqual([[1, 200]]);
  }, 90_000);

  it('stopped during an attempt: after the grace period the delivery is given back unlogged and sent by the next process', async () => {
    const env = { WEBHOOK_TIMEOUT_MS: '20000', SHUTDOWN_GRACE_MS: '300' };
    const { receiver, url, jobId } = await prepare({ '/stuck': (n) => (n === 1 ? 'hang' : { status: 200 }) }, '/stuck');
    const first = await started.server(db, { ...env, DATABASE_URL: url });
    await eventually(() => receiver.hits.length === 1, 20_000, 'attempt 1 to reach the receiver');
    const stopping = Date.now();
    await first.stop();
    expect(Date.now() - stopping).toBeLessThan(10_000); // not the 20 s attempt timeout
    const [released] = await deliveriesOf({ orm } as TestServer, jobId);
    expect(released).toMatchObject({ status: 'PENDING', attempts: 0 });
    expect(await logCount(orm, jobId)).toBe(0);

    await started.server(db, { ...env, DATABASE_URL: url });
    await eventually(() => receiver.hits.length === 2, 20_000, 'the attempt from the next process');
    expect(receiver.hits[1].headers['webhook-id']).toBe(receiver.hits[0].headers['webhook-id']);
    await eventually(async () => (await logCount(orm, jobId)) === 1, 10_000, 'the attempt to be logged');
  }, 90_000);
});
