import type { Em, Orm } from '../../db/orm.js';
import type { Job } from '../../jobs/job.entity.js';
import { JobStatus } from '../../jobs/job.enums.js';
import type { Log } from '../../log.js';
import type { EndpointLimits } from '../endpoint-throttle.js';
import { signingKeys, type SigningKeys } from '../signatures.js';
import { JOB_EVENT_OF_STATUS } from '../webhook-body.js';
import { WebhookEndpoint } from './webhook-endpoint.entity.js';

/** How stale another process's endpoint changes may be here: every process reloads the list this often. */
export const ENDPOINT_REFRESH_MS = 5_000;

/** One endpoint as the finish path and the sender need it, parsed once per load. */
interface LoadedEndpoint {
  id: number;
  url: string;
  eventTypes: ReadonlySet<string>;
  queues: ReadonlySet<string> | null;
  taskNames: ReadonlySet<string> | null;
  enabled: boolean;
  keys: SigningKeys;
  /** The keys with the previous secret too, while its grace lasts. */
  graceKeys: SigningKeys | null;
  graceUntilMs: number;
  /** Its own delivery limits; null when it has none (the sender's fast path). */
  limits: EndpointLimits | null;
}

const EVENT_OF_STATUS: Partial<Record<JobStatus, string>> = JOB_EVENT_OF_STATUS;

function load(row: WebhookEndpoint): LoadedEndpoint {
  const graceUntilMs = row.previousSecretUntil?.getTime() ?? 0;
  const inGrace = row.previousSecret && graceUntilMs > Date.now();
  return {
    id: row.id,
    url: row.url,
    eventTypes: new Set(row.eventTypes),
    queues: row.queues ? new Set(row.queues) : null,
    taskNames: row.taskNames ? new Set(row.taskNames) : null,
    enabled: row.enabled,
    keys: signingKeys(row.secret),
    graceKeys: inGrace ? signingKeys(row.secret, [row.previousSecret!]) : null,
    graceUntilMs,
    limits: limitsOf(row),
  };
}

function limitsOf(row: WebhookEndpoint): EndpointLimits | null {
  const rateLimit = row.rateLimitMax && row.rateLimitPerMs ? { max: row.rateLimitMax, perMs: row.rateLimitPerMs } : null;
  const concurrency = row.concurrencyLimit ?? null;
  return concurrency === null && rateLimit === null ? null : { concurrency, rateLimit };
}

/**
 * The registered endpoints, held in memory by every process: a finishing job asks which endpoints
 * want it without a query (the finish transaction is the engine's hot path). The list is reloaded
 * after every change made through this process and every ENDPOINT_REFRESH_MS for the others'.
 */
export class EndpointDirectory {
  private endpoints: LoadedEndpoint[] = [];
  private byId = new Map<number, LoadedEndpoint>();
  private builtInOn = true;
  private timer: NodeJS.Timeout | null = null;
  private loading: Promise<void> | null = null;

  constructor(private readonly orm: Orm) {}

  /** Loads once, then keeps reloading; a failed reload keeps the last list and is logged. */
  async start(log: Log): Promise<void> {
    await this.refresh();
    this.timer ??= setInterval(() => {
      this.refresh().catch((error: unknown) => log.warn({ err: error }, 'webhook endpoints could not be reloaded; using the last list'));
    }, ENDPOINT_REFRESH_MS).unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Reloads now; concurrent callers share one query. */
  refresh(): Promise<void> {
    this.loading ??= this.reload().finally(() => (this.loading = null));
    return this.loading;
  }

  private async reload(): Promise<void> {
    const rows = await (this.orm.em.fork() as Em).find(WebhookEndpoint, {}, { orderBy: { id: 'asc' } });
    const builtIn = rows.find((row) => row.builtIn);
    const endpoints = rows.filter((row) => !row.builtIn).map(load);
    this.endpoints = endpoints;
    this.byId = new Map(endpoints.map((e) => [e.id, e]));
    this.builtInOn = builtIn?.enabled ?? true;
  }

  /** Whether OUTBOUND_WEBHOOK (and the own receiver standing in for it) gets the finished jobs' messages. */
  get builtInEnabled(): boolean {
    return this.builtInOn;
  }

  /** Whether any endpoint, enabled or not, takes `event`: when none does, a cancel reads no job rows for it. */
  subscribed(event: string): boolean {
    return this.endpoints.some((e) => e.eventTypes.has(event));
  }

  /** The enabled endpoints subscribed to this job's end, by event type, queue and task. */
  matching(job: Pick<Job, 'status' | 'queue' | 'taskName'>): { id: number; url: string }[] {
    return this.endpointsFor(job, true);
  }

  /** The disabled endpoints that would get this job's end: their messages are recorded FAILED, unsent. */
  disabledMatching(job: Pick<Job, 'status' | 'queue' | 'taskName'>): { id: number; url: string }[] {
    return this.endpointsFor(job, false);
  }

  private endpointsFor(job: Pick<Job, 'status' | 'queue' | 'taskName'>, enabled: boolean): { id: number; url: string }[] {
    if (this.endpoints.length === 0) return [];
    const event = EVENT_OF_STATUS[job.status];
    if (!event) return [];
    return this.endpoints.filter(
      (e) =>
        e.enabled === enabled &&
        e.eventTypes.has(event) &&
        (!e.queues || e.queues.has(job.queue)) &&
        (!e.taskNames || e.taskNames.has(job.taskName)),
    );
  }

  /** A registered endpoint's own delivery limits as last loaded; null: none (or not loaded here yet). */
  limitsOf(endpointId: number): EndpointLimits | null {
    return this.byId.get(endpointId)?.limits ?? null;
  }

  /** Whether a registered endpoint is enabled as last loaded; an unknown one counts as enabled (its keys decide). */
  isEnabled(endpointId: number): boolean {
    return this.byId.get(endpointId)?.enabled ?? true;
  }

  /** The keys an attempt to this endpoint signs with at `at`; null when it is not (or no longer) registered. */
  async keysFor(endpointId: number, at = new Date()): Promise<SigningKeys | null> {
    // A delivery written by another process for an endpoint created since this one's last load.
    if (!this.byId.has(endpointId)) await this.refresh();
    const endpoint = this.byId.get(endpointId);
    if (!endpoint) return null;
    return endpoint.graceKeys && at.getTime() < endpoint.graceUntilMs ? endpoint.graceKeys : endpoint.keys;
  }
}
