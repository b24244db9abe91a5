import type { Orm } from '../db/orm.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import { placeholders, query } from '../db/sql.js';
import type { FinishHook } from '../engine/finish-hooks.js';
import { backoffDelayMs, failureOf, nextState, type RunEnd } from '../engine/retry.js';
import { errorText, stackText } from '../engine/run-handler.js';
import { writeOwnedEndStates, type FailedAttempt } from '../engine/sql/finish-jobs.js';
import { renewLeases } from '../engine/sql/leases.js';
import { writeProgress } from '../engine/sql/progress.js';
import { BadUserInputError, ConflictError } from '../graphql/errors.js';
import type { Job } from '../jobs/job.entity.js';
import { JobStatus } from '../jobs/job.enums.js';
import type { JobEvents } from '../jobs/job.events.js';
import { copyJob, jobRowMapper } from '../jobs/job-record.js';
import type { JobLogLevel } from '../jobs/job-log.entity.js';
import type { TaskCatalog } from '../tasks/catalog.js';
import type { TaskLog } from '../tasks/task.js';
import { CoalescedWrites } from '../loop/coalesced-writes.js';
import { parseToken, tokenOf, type LeaseToken } from './lease-token.js';
import { LeaseState } from './worker.types.js';

const MAX_SNOOZE_MS = 24 * 60 * 60 * 1000;
const MAX_LOG_LINES_PER_CALL = 1000;
const MAX_COMPLETIONS_PER_CALL = 500;

/** An end state to write while the lease still holds. */
interface Ending {
  lease: LeaseToken;
  next: Job;
  failure?: FailedAttempt;
}

export interface RemoteLeasesOptions {
  orm: Orm;
  /** The same hooks as a local finish: the webhook outbox row and the throughput counters commit with the end state. */
  finishHooks: readonly FinishHook[];
  events: JobEvents;
  catalog: TaskCatalog;
  logs: { forRun(job: Job): TaskLog };
  /** Heartbeat of the workers whose tokens a call carried, with the lease extension they asked for at their claims. */
  leaseMsOf(workerId: string): Promise<number>;
}

/**
 * What a remote worker does with a lease token: finish the job (through the engine's end-state
 * writer, so outbox rows, events and counters are a local finish's), report progress, log, renew.
 * Every write is conditional on the lease still being the token's: a stale token gets CONFLICT and
 * changes nothing.
 */
export class RemoteLeases {
  /** One ctx.log per run, so lines of one run are numbered in order across calls. */
  private readonly runLogs = new Map<string, TaskLog>();
  /** End states of concurrent finishing calls share one transaction, as a local worker's batch does. */
  private readonly ends = new CoalescedWrites<Ending, boolean>({
    maxBatch: MAX_COMPLETIONS_PER_CALL,
    isUnavailable: isDatabaseUnavailable,
    write: (items) => this.writeEnds(items),
  });

  constructor(private readonly options: RemoteLeasesOptions) {}

  async complete(token: string, result: unknown): Promise<Job> {
    const { lease, job } = await this.held(token);
    return this.end(lease, job, { kind: 'completed', job, result: jsonOf(result), endedAt: new Date() }, null);
  }

  /** Many completions in one call: one read, one transaction; each answers for itself. */
  async completeAll(
    completions: readonly { token: string; result?: unknown }[],
  ): Promise<{ token: string; job: Job | null; error: string | null }[]> {
    if (completions.length > MAX_COMPLETIONS_PER_CALL) {
      throw new BadUserInputError(
        'completions',
        `expected at most ${MAX_COMPLETIONS_PER_CALL} completions a call, got ${completions.length}`,
      );
    }
    if (completions.length === 0) return [];
    const leases = completions.map(({ token }, i) => {
      const lease = parseToken(token);
      if (!lease) throw new BadUserInputError(`completions[${i}].token`, 'expected a lease token from claimJobs');
      return lease;
    });
    const jobs = await this.jobsOf(leases.map((l) => l.jobId));
    const endedAt = new Date();
    const outcomes = completions.map(({ token, result }, i) => {
      const lease = leases[i];
      const job = jobs.get(lease.jobId);
      const why = this.staleness(token, lease, job);
      if (why || !job) return Promise.resolve(why ?? '');
      return this.end(lease, job, { kind: 'completed', job, result: jsonOf(result), endedAt }, null).then(
        (next) => next,
        (error: unknown) => (error instanceof ConflictError ? error.message : Promise.reject(error)),
      );
    });
    const settled = await Promise.all(outcomes);
    return settled.map((outcome, i) =>
      typeof outcome === 'string'
        ? { token: completions[i].token, job: null, error: outcome }
        : { token: completions[i].token, job: outcome, error: null },
    );
  }

  async fail(token: string, error: { message: string; stack?: string | null }, retry: boolean, snoozeMs: number | null): Promise<Job> {
    if (snoozeMs !== null && (!Number.isInteger(snoozeMs) || snoozeMs < 0 || snoozeMs > MAX_SNOOZE_MS)) {
      throw new BadUserInputError('snoozeMs', `expected a whole number of ms 0..${MAX_SNOOZE_MS}, got ${snoozeMs}`);
    }
    const { lease, job } = await this.held(token);
    const endedAt = new Date();
    const outcome: RunEnd =
      snoozeMs !== null
        ? { kind: 'snoozed', job, ms: snoozeMs, endedAt }
        : { kind: 'failed', job, error: errorText(String(error.message)), retryable: retry, endedAt };
    return this.end(lease, job, outcome, snoozeMs === null ? stackText({ stack: error.stack }) : null);
  }

  async progress(token: string, share: number): Promise<boolean> {
    if (typeof share !== 'number' || !(share >= 0 && share <= 1)) {
      throw new BadUserInputError('progress', `expected a share 0..1, got ${share}`);
    }
    const { lease, job } = await this.held(token);
    const at = new Date();
    const [written] = await writeProgress(this.options.orm, lease.owner, [{ id: job.id, progress: share, at }]);
    if (!written) throw stale(job.id);
    this.options.events.updated(copyJob(job, { progress: share, updatedAt: at }));
    return true;
  }

  async appendLogs(token: string, lines: readonly { level?: JobLogLevel | null; message: string; data?: unknown }[]): Promise<number> {
    if (lines.length > MAX_LOG_LINES_PER_CALL) {
      throw new BadUserInputError('lines', `expected at most ${MAX_LOG_LINES_PER_CALL} lines a call, got ${lines.length}`);
    }
    const { job } = await this.held(token);
    let log = this.runLogs.get(token);
    if (!log) this.runLogs.set(token, (log = this.options.logs.forRun(job)));
    for (const line of lines) {
      const level = (line.level ?? 'INFO').toLowerCase() as 'debug' | 'info' | 'warn' | 'error';
      log[level](line.message, line.data ?? undefined);
    }
    return lines.length;
  }

  /** Extends each lease still held; a cancelled job says CANCEL_REQUESTED, anything else that is not held LOST. */
  async renew(tokens: readonly string[]): Promise<{ token: string; status: LeaseState; expiresAt: Date | null }[]> {
    const leases = tokens.map((token, i) => {
      const lease = parseToken(token);
      if (!lease) throw new BadUserInputError(`tokens[${i}]`, 'expected a lease token from claimJobs');
      return lease;
    });
    const byOwner = new Map<string, LeaseToken[]>();
    for (const lease of leases) {
      const own = byOwner.get(lease.owner);
      if (own) own.push(lease);
      else byOwner.set(lease.owner, [lease]);
    }
    const expiry = new Map<string, Date>();
    for (const [owner, own] of byOwner) {
      const expiresAt = new Date(Date.now() + (await this.options.leaseMsOf(own[0].workerId)));
      await renewLeases(this.options.orm, owner, [...new Set(own.map((l) => l.jobId))], expiresAt);
      expiry.set(owner, expiresAt);
    }
    const rows = await this.rowsOf(leases.map((l) => l.jobId));
    return leases.map((lease, i) => {
      const row = rows.get(lease.jobId);
      const token = tokens[i];
      if (row && row.status === JobStatus.RUNNING && row.owner === lease.owner)
        return { token, status: LeaseState.OK, expiresAt: expiry.get(lease.owner)! };
      this.runLogs.delete(token);
      return { token, status: row?.status === JobStatus.CANCELLED ? LeaseState.CANCEL_REQUESTED : LeaseState.LOST, expiresAt: null };
    });
  }

  private async end(lease: LeaseToken, job: Job, outcome: RunEnd, stack: string | null): Promise<Job> {
    const next = nextState(outcome, (attempts) => backoffDelayMs(this.options.catalog.backoffOf(job.taskName), attempts));
    const written = await this.ends.add({ lease, next, failure: failureOf(job, next, stack, lease.workerId) });
    if (!written) throw stale(job.id);
    this.runLogs.delete(tokenOf(job.id, lease.owner));
    this.options.events.updated(next);
    return next;
  }

  /** One transaction for the batch; a job twice in it (a repeated call) is written once, the repeat is stale. */
  private async writeEnds(items: Ending[]): Promise<boolean[]> {
    const byOwner = new Map<string, Job[]>();
    const first = new Set<Ending>();
    const seen = new Set<number>();
    for (const item of items) {
      if (seen.has(item.next.id)) continue;
      seen.add(item.next.id);
      first.add(item);
      const own = byOwner.get(item.lease.owner);
      if (own) own.push(item.next);
      else byOwner.set(item.lease.owner, [item.next]);
    }
    const failures = items.flatMap((i) => (first.has(i) && i.failure ? [i.failure] : []));
    const written = await writeOwnedEndStates(
      this.options.orm,
      [...byOwner].map(([owner, states]) => ({ owner, states })),
      this.options.finishHooks,
      failures,
    );
    const ids = new Set(written.map((j) => j.id));
    return items.map((item) => first.has(item) && ids.has(item.next.id));
  }

  /** The job while the token's lease holds it; CONFLICT otherwise, saying what became of it. */
  private async held(token: string): Promise<{ lease: LeaseToken; job: Job }> {
    const lease = parseToken(token);
    if (!lease) throw new BadUserInputError('token', 'expected a lease token from claimJobs');
    const job = (await this.jobsOf([lease.jobId])).get(lease.jobId);
    const why = this.staleness(token, lease, job);
    if (why || !job) throw new ConflictError(why ?? '', job?.status);
    return { lease, job };
  }

  /** Why the token no longer holds its job, or null while it does. */
  private staleness(token: string, lease: LeaseToken, job: Job | undefined): string | null {
    if (!job) return `job ${lease.jobId} no longer exists: it was deleted`;
    if (job.status === JobStatus.RUNNING && job.leaseOwner === lease.owner) return null;
    this.runLogs.delete(token);
    const why = job.status === JobStatus.RUNNING ? 'its lease expired and another claim holds it' : `it is ${job.status} now`;
    return `the lease of job ${job.id} is stale: ${why}; nothing was changed`;
  }

  private async jobsOf(ids: readonly number[]): Promise<Map<number, Job>> {
    const unique = [...new Set(ids)];
    const em = this.options.orm.em.fork();
    const rows = await query(em, `select * from jobs where id in (${placeholders(unique.length)})`, unique);
    const toJob = jobRowMapper(em);
    return new Map(rows.map((row) => [Number(row.id), toJob(row)]));
  }

  private async rowsOf(ids: readonly number[]): Promise<Map<number, { status: string; owner: string | null }>> {
    const unique = [...new Set(ids)];
    const em = this.options.orm.em.fork();
    const rows = await query<{ id: unknown; status: unknown; lease_owner: unknown }>(
      em,
      `select id, status, lease_owner from jobs where id in (${placeholders(unique.length)})`,
      unique,
    );
    return new Map(
      rows.map((r) => [Number(r.id), { status: String(r.status), owner: r.lease_owner == null ? null : String(r.lease_owner) }]),
    );
  }
}

const stale = (jobId: number) =>
  new ConflictError(`the lease of job ${jobId} is stale: it was taken back, cancelled or finished meanwhile; nothing was changed`);

/** A result goes into a JSON column: what JSON cannot hold is refused here, as a local handler's result is. */
function jsonOf(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value) ?? 'null');
}
