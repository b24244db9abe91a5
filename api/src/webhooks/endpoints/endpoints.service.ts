import type { Em, Orm } from '../../db/orm.js';
import { run } from '../../db/sql.js';
import { BadUserInputError, ConflictError, NotFoundError } from '../../graphql/errors.js';
import type { DeliveryTarget } from '../outbox.js';
import { parseId } from '../../jobs/job.validate.js';
import type { UrlCheck } from '../../jobs/job.validate.js';
import { newEndpointSecret } from '../signatures.js';
import { DeliveryStatus } from '../webhook-delivery.entity.js';
import type { EndpointDirectory } from './endpoint-directory.js';
import {
  CreatedWebhookEndpoint,
  type CreateWebhookEndpointInput,
  type UpdateWebhookEndpointInput,
  type WebhookEndpointHealth,
  type WebhookEndpointHealthPoint,
  type WebhookEndpointView,
} from './endpoint.types.js';
import { attemptsOf, healthOf, seriesOf, type AttemptRow } from './endpoint-health.js';
import {
  checkDescription,
  checkDisableAfterFailures,
  checkDisableAfterMs,
  checkEndpointConcurrency,
  checkEndpointRate,
  checkEventTypes,
  checkGraceMs,
  checkQueues,
  checkTaskNames,
} from './endpoint.validate.js';
import { WebhookEndpoint } from './webhook-endpoint.entity.js';

/** The GraphQL id of the built-in endpoint (OUTBOUND_WEBHOOK). */
export const BUILT_IN_ID = 'outbound';
/** What OUTBOUND_WEBHOOK receives: the seed's two events. */
const BUILT_IN_EVENTS = ['job.completed', 'job.failed'];

function view(row: WebhookEndpoint): WebhookEndpointView {
  const inGrace = row.previousSecret && row.previousSecretUntil && row.previousSecretUntil.getTime() > Date.now();
  return {
    id: String(row.id),
    url: row.url,
    description: row.description,
    eventTypes: row.eventTypes,
    queues: row.queues ?? null,
    taskNames: row.taskNames ?? null,
    enabled: row.enabled,
    builtIn: false,
    previousSecretExpiresAt: inGrace ? row.previousSecretUntil! : null,
    disableAfterFailures: row.disableAfterFailures,
    disableAfterMs: Number(row.disableAfterMs),
    concurrency: row.concurrencyLimit ?? null,
    rateLimit: row.rateLimitMax && row.rateLimitPerMs ? { max: row.rateLimitMax, perMs: row.rateLimitPerMs } : null,
    disabledReason: row.disabledReason ?? null,
    disabledAt: row.disabledAt ?? null,
    consecutiveFailures: row.consecutiveFailures,
    createdAt: row.createdAt,
  };
}

/** New endpoints' auto-disable thresholds (WEBHOOK_DISABLE_AFTER_FAILURES, WEBHOOK_DISABLE_AFTER_MS). */
export interface DisableDefaults {
  disableAfterFailures: number;
  disableAfterMs: number;
}

/** Registered webhook endpoints: create, change, delete, rotate; every change reloads this process's directory. */
export class EndpointsService {
  private readonly attemptReads = new WeakMap<WebhookEndpointView, Promise<AttemptRow[]>>();

  constructor(
    private readonly orm: Orm,
    private readonly directory: EndpointDirectory,
    private readonly checkUrl: UrlCheck,
    /** Where OUTBOUND_WEBHOOK's messages go now (OUTBOUND_WEBHOOK or the own receiver); null before listen. */
    private readonly builtInUrl: () => string | null,
    private readonly defaults: DisableDefaults,
    /** An endpoint disabled by itself was enabled again by hand (its alert resolves). */
    private readonly reenabled: (endpointId: number) => Promise<void>,
  ) {}

  private em(): Em {
    return this.orm.em.fork() as Em;
  }

  async list(): Promise<WebhookEndpointView[]> {
    const rows = await this.em().find(WebhookEndpoint, { builtIn: false }, { orderBy: { id: 'asc' } });
    const builtIn = await this.builtIn();
    return [...(builtIn ? [builtIn] : []), ...rows.map(view)];
  }

  async get(id: string): Promise<WebhookEndpointView | null> {
    if (id === BUILT_IN_ID) return this.builtIn();
    const row = await this.em().findOne(WebhookEndpoint, { id: parseId('id', id), builtIn: false });
    return row ? view(row) : null;
  }

  async create(input: CreateWebhookEndpointInput): Promise<CreatedWebhookEndpoint> {
    const eventTypes = checkEventTypes('input.eventTypes', input.eventTypes);
    const description = checkDescription('input.description', input.description);
    const queues = checkQueues('input.queues', input.queues);
    const taskNames = checkTaskNames('input.taskNames', input.taskNames);
    const disableAfterFailures = checkDisableAfterFailures(
      'input.disableAfterFailures',
      input.disableAfterFailures ?? this.defaults.disableAfterFailures,
    );
    const disableAfterMs = checkDisableAfterMs('input.disableAfterMs', input.disableAfterMs ?? this.defaults.disableAfterMs);
    const concurrencyLimit = checkEndpointConcurrency('input.concurrency', input.concurrency);
    const rate = checkEndpointRate('input.rateLimit', input.rateLimit);
    await this.checkUrl('input.url', input.url);
    const secret = newEndpointSecret();
    const em = this.em();
    const row = em.create(WebhookEndpoint, {
      url: input.url,
      description,
      eventTypes,
      queues,
      taskNames,
      enabled: input.enabled ?? true,
      disableAfterFailures,
      disableAfterMs,
      concurrencyLimit,
      rateLimitMax: rate?.max ?? null,
      rateLimitPerMs: rate?.perMs ?? null,
      secret,
    });
    await em.flush();
    await this.directory.refresh();
    return Object.assign(new CreatedWebhookEndpoint(), { endpoint: view(row), secret });
  }

  async update(id: string, input: UpdateWebhookEndpointInput): Promise<WebhookEndpointView> {
    if (id === BUILT_IN_ID) return this.updateBuiltIn(input);
    const em = this.em();
    const row = await this.find(em, id);
    if (input.url !== undefined && input.url !== null) {
      await this.checkUrl('input.url', input.url);
      row.url = input.url;
    }
    if (input.description !== undefined) row.description = checkDescription('input.description', input.description);
    if (input.eventTypes !== undefined) row.eventTypes = checkEventTypes('input.eventTypes', input.eventTypes);
    if (input.queues !== undefined) row.queues = checkQueues('input.queues', input.queues);
    if (input.taskNames !== undefined) row.taskNames = checkTaskNames('input.taskNames', input.taskNames);
    if (input.disableAfterFailures !== undefined && input.disableAfterFailures !== null) {
      row.disableAfterFailures = checkDisableAfterFailures('input.disableAfterFailures', input.disableAfterFailures);
    }
    if (input.disableAfterMs !== undefined && input.disableAfterMs !== null) {
      row.disableAfterMs = checkDisableAfterMs('input.disableAfterMs', input.disableAfterMs);
    }
    if (input.concurrency !== undefined) row.concurrencyLimit = checkEndpointConcurrency('input.concurrency', input.concurrency);
    if (input.rateLimit !== undefined) {
      const rate = checkEndpointRate('input.rateLimit', input.rateLimit);
      Object.assign(row, { rateLimitMax: rate?.max ?? null, rateLimitPerMs: rate?.perMs ?? null });
    }
    const reenabled = input.enabled === true && !row.enabled;
    if (input.enabled !== undefined && input.enabled !== null) row.enabled = input.enabled;
    if (reenabled) {
      // Enabled by hand: the streak starts again, so the next failure does not disable it at once.
      Object.assign(row, { consecutiveFailures: 0, failingSince: null, disabledReason: null, disabledAt: null });
    }
    await em.flush();
    await this.directory.refresh();
    if (reenabled) await this.reenabled(row.id);
    return view(row);
  }

  /** Deletes the endpoint; its messages not yet delivered end FAILED rather than going out unsigned-for. */
  async delete(id: string): Promise<boolean> {
    if (id === BUILT_IN_ID) throw new BadUserInputError('id', 'the built-in endpoint is OUTBOUND_WEBHOOK: unset it, or disable it here');
    const endpointId = parseId('id', id);
    const deleted = await this.em().transactional(async (tx) => {
      const count = await tx.nativeDelete(WebhookEndpoint, { id: endpointId, builtIn: false });
      await run(tx as Em, `update webhook_deliveries set status = ?, lease_owner = null where endpoint_id = ? and status = ?`, [
        DeliveryStatus.FAILED,
        endpointId,
        DeliveryStatus.PENDING,
      ]);
      return count > 0;
    });
    await this.directory.refresh();
    return deleted;
  }

  /** A new secret; the old one keeps signing beside it for `graceMs`. */
  async rotate(id: string, graceMs: unknown): Promise<string> {
    if (id === BUILT_IN_ID)
      throw new BadUserInputError('id', "the built-in endpoint's secret is WEBHOOK_SECRET: change it in the environment");
    const grace = checkGraceMs('graceMs', graceMs);
    const em = this.em();
    const row = await this.find(em, id);
    const secret = newEndpointSecret();
    row.previousSecret = grace > 0 ? row.secret : null;
    row.previousSecretUntil = grace > 0 ? new Date(Date.now() + grace) : null;
    row.secret = secret;
    await em.flush();
    await this.directory.refresh();
    return secret;
  }

  /** Health of a registered endpoint from its stored attempts; null for the built-in one (no streak is kept for it). */
  async health(endpoint: WebhookEndpointView): Promise<WebhookEndpointHealth | null> {
    if (endpoint.builtIn) return null;
    return healthOf(await this.attemptsOf(endpoint), endpoint.consecutiveFailures);
  }

  async healthSeries(endpoint: WebhookEndpointView): Promise<WebhookEndpointHealthPoint[]> {
    if (endpoint.builtIn) return [];
    return seriesOf(await this.attemptsOf(endpoint));
  }

  /** One read per endpoint and request: `health` and `healthSeries` of one view share it. */
  private attemptsOf(endpoint: WebhookEndpointView): Promise<AttemptRow[]> {
    let rows = this.attemptReads.get(endpoint);
    if (!rows) {
      rows = attemptsOf(this.em(), Number(endpoint.id));
      this.attemptReads.set(endpoint, rows);
    }
    return rows;
  }

  /** Whether the endpoint (a registered one, or "outbound") is enabled; NotFound when there is none. */
  async isEnabled(id: string): Promise<boolean> {
    if (id === BUILT_IN_ID) return (await this.em().findOne(WebhookEndpoint, { builtIn: true }))?.enabled ?? true;
    return (await this.find(this.em(), id)).enabled;
  }

  /** Where a message to this endpoint goes and how it is signed (a registered endpoint: with its own secret). */
  async targetOf(id: string): Promise<DeliveryTarget> {
    if (id === BUILT_IN_ID) {
      const url = this.builtInUrl();
      if (!url) throw new ConflictError('the built-in endpoint has no URL yet: set OUTBOUND_WEBHOOK');
      return { url, trusted: true };
    }
    const row = await this.find(this.em(), id);
    return { url: row.url, trusted: false, endpointId: row.id };
  }

  private async find(em: Em, id: string): Promise<WebhookEndpoint> {
    const endpointId = parseId('id', id);
    const row = await em.findOne(WebhookEndpoint, { id: endpointId, builtIn: false });
    if (!row) throw new NotFoundError('webhook endpoint', endpointId);
    return row;
  }

  private async builtIn(): Promise<WebhookEndpointView | null> {
    const url = this.builtInUrl();
    if (!url) return null;
    const row = await this.em().findOne(WebhookEndpoint, { builtIn: true });
    return {
      id: BUILT_IN_ID,
      url,
      description: 'OUTBOUND_WEBHOOK (signed with WEBHOOK_SECRET)',
      eventTypes: BUILT_IN_EVENTS,
      queues: null,
      taskNames: null,
      enabled: row?.enabled ?? true,
      builtIn: true,
      previousSecretExpiresAt: null,
      disableAfterFailures: null,
      disableAfterMs: null,
      concurrency: null,
      rateLimit: null,
      disabledReason: null,
      disabledAt: null,
      consecutiveFailures: 0,
      createdAt: null,
    };
  }

  private async updateBuiltIn(input: UpdateWebhookEndpointInput): Promise<WebhookEndpointView> {
    for (const field of [
      'url',
      'description',
      'eventTypes',
      'queues',
      'taskNames',
      'disableAfterFailures',
      'disableAfterMs',
      'concurrency',
      'rateLimit',
    ] as const) {
      if (input[field] !== undefined) {
        throw new BadUserInputError(`input.${field}`, 'the built-in endpoint comes from OUTBOUND_WEBHOOK: only enabled can change');
      }
    }
    if (input.enabled !== undefined && input.enabled !== null) {
      const em = this.em();
      const row =
        (await em.findOne(WebhookEndpoint, { builtIn: true })) ??
        em.create(WebhookEndpoint, { builtIn: true, url: '', eventTypes: BUILT_IN_EVENTS, secret: '' });
      row.enabled = input.enabled;
      await em.flush();
      await this.directory.refresh();
    }
    return (await this.builtIn())!;
  }
}
