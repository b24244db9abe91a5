import type { Em } from '../db/orm.js';
import { dialectOf, fromDbTime, jsonColumnReader, placeholders, query, run, toDbTime } from '../db/sql.js';
import { JobStatus } from '../jobs/job.enums.js';
import { workerOfOwner } from './lease-token.js';

export type WorkerKind = 'LOCAL' | 'REMOTE';

/** A task as a remote worker announced it. */
export interface RemoteTaskAnnouncement {
  name: string;
  description: string | null;
  payloadSchema: Record<string, unknown> | boolean | null;
  defaults: Record<string, unknown> | null;
}

export interface WorkerRecord {
  id: string;
  name: string;
  host: string;
  kind: WorkerKind;
  queues: string[];
  /** LOCAL: task names; REMOTE: announcements. */
  tasks: (string | RemoteTaskAnnouncement)[];
  concurrency: number;
  leaseMs: number;
  version: string | null;
  startedAt: Date;
  lastHeartbeatAt: Date;
}

const COLUMNS = ['id', 'name', 'host', 'kind', 'queues', 'tasks', 'concurrency', 'lease_ms', 'version', 'started_at', 'last_heartbeat_at'];

/** Inserts the worker, or replaces what it said before (a worker registering again keeps its id). */
export async function upsertWorker(em: Em, w: WorkerRecord): Promise<void> {
  const dialect = dialectOf(em);
  const values = [
    w.id,
    w.name,
    w.host,
    w.kind,
    JSON.stringify(w.queues),
    JSON.stringify(w.tasks),
    w.concurrency,
    w.leaseMs,
    w.version,
    toDbTime(dialect, w.startedAt),
    toDbTime(dialect, w.lastHeartbeatAt),
  ];
  const updates = COLUMNS.slice(1);
  const upsert =
    dialect === 'sqlite'
      ? `on conflict (id) do update set ${updates.map((c) => `${c} = excluded.${c}`).join(', ')}`
      : `on duplicate key update ${updates.map((c) => `${c} = values(${c})`).join(', ')}`;
  await run(em, `insert into workers (${COLUMNS.join(', ')}) values (${placeholders(COLUMNS.length)}) ${upsert}`, values);
}

/** How many of these workers exist (each got its heartbeat). */
export async function touchWorkers(em: Em, ids: readonly string[], at: Date, leaseMs?: number): Promise<number> {
  if (ids.length === 0) return 0;
  const dialect = dialectOf(em);
  const lease = leaseMs === undefined ? '' : ', lease_ms = ?';
  return run(em, `update workers set last_heartbeat_at = ?${lease} where id in (${placeholders(ids.length)})`, [
    toDbTime(dialect, at),
    ...(leaseMs === undefined ? [] : [leaseMs]),
    ...ids,
  ]);
}

function rowToWorker(em: Em): (row: Record<string, unknown>) => WorkerRecord {
  const json = jsonColumnReader(em);
  return (row) => ({
    id: String(row.id),
    name: String(row.name),
    host: String(row.host),
    kind: row.kind === 'REMOTE' ? 'REMOTE' : 'LOCAL',
    queues: json(row.queues) as string[],
    tasks: json(row.tasks) as WorkerRecord['tasks'],
    concurrency: Number(row.concurrency),
    leaseMs: Number(row.lease_ms),
    version: row.version == null ? null : String(row.version),
    startedAt: fromDbTime(row.started_at)!,
    lastHeartbeatAt: fromDbTime(row.last_heartbeat_at)!,
  });
}

export async function readWorker(em: Em, id: string): Promise<WorkerRecord | null> {
  const rows = await query(em, 'select * from workers where id = ?', [id]);
  return rows.length > 0 ? rowToWorker(em)(rows[0]) : null;
}

/** Workers heard from since `since`, oldest registration first. */
export async function readWorkers(em: Em, since: Date): Promise<WorkerRecord[]> {
  const rows = await query(em, 'select * from workers where last_heartbeat_at >= ? order by started_at, id', [
    toDbTime(dialectOf(em), since),
  ]);
  return rows.map(rowToWorker(em));
}

export async function deleteWorkers(em: Em, silentSince: Date): Promise<number> {
  return run(em, 'delete from workers where last_heartbeat_at < ?', [toDbTime(dialectOf(em), silentSince)]);
}

export async function deleteWorker(em: Em, id: string): Promise<void> {
  await run(em, 'delete from workers where id = ?', [id]);
}

/** RUNNING job ids per worker (a remote worker's claims and a local worker's own lease). */
export async function runningJobsByWorker(em: Em): Promise<Map<string, number[]>> {
  const rows = await query<{ id: unknown; lease_owner: unknown }>(
    em,
    `select id, lease_owner from jobs where status = '${JobStatus.RUNNING}' and lease_owner is not null order by id`,
  );
  const byWorker = new Map<string, number[]>();
  for (const row of rows) {
    const worker = workerOfOwner(String(row.lease_owner));
    const ids = byWorker.get(worker);
    if (ids) ids.push(Number(row.id));
    else byWorker.set(worker, [Number(row.id)]);
  }
  return byWorker;
}

/** How many leases this remote worker holds now, across its claims. */
export async function leasesHeld(em: Em, workerId: string): Promise<number> {
  const [{ n }] = await query<{ n: unknown }>(
    em,
    `select count(*) as n from jobs where status = '${JobStatus.RUNNING}' and lease_owner like ?`,
    [`${workerId}/%`],
  );
  return Number(n);
}
