import type { FilterQuery } from '@mikro-orm/core';
import type { Em, Orm } from '../../db/orm.js';
import { BadUserInputError, describe } from '../../graphql/errors.js';
import { parseId } from '../../jobs/job.validate.js';
import { BUILT_IN_ID } from '../endpoints/endpoints.service.js';
import type { DeliveryTarget } from '../outbox.js';
import { recordMessage } from '../outbox.js';
import { newMessageId } from '../signatures.js';
import { serializeTestBody } from '../webhook-body.js';
import { DeliveryStatus, WebhookDelivery } from '../webhook-delivery.entity.js';
import { WebhookLog } from '../webhook-log.entity.js';
import { dialectOf, placeholders, run, toDbTime, type BoundValue } from '../../db/sql.js';
import { WebhookDeliveryStatus, type WebhookDeliveryConnection, type WebhookDeliveryView } from './delivery.types.js';

export const MAX_PAGE = 100;

export interface DeliveryFilter {
  endpointId?: string | null;
  status?: WebhookDeliveryStatus | null;
  since?: Date | null;
  first: number;
  after?: string | null;
}

/** Cursors are the delivery's id, opaque to clients. */
const cursorOf = (id: number) => Buffer.from(`delivery:${id}`).toString('base64url');
function idOfCursor(cursor: string): number {
  const match = /^delivery:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new BadUserInputError('after', `expected a cursor from pageInfo.endCursor, got ${describe(cursor)}`);
  return Number(match[1]);
}

/** SENDING is an implementation detail of the sender: to users it is still PENDING. */
const shownStatus = (status: DeliveryStatus) =>
  status === DeliveryStatus.DELIVERED
    ? WebhookDeliveryStatus.DELIVERED
    : status === DeliveryStatus.FAILED
      ? WebhookDeliveryStatus.FAILED
      : WebhookDeliveryStatus.PENDING;

const STORED_STATUSES: Record<WebhookDeliveryStatus, DeliveryStatus[]> = {
  PENDING: [DeliveryStatus.PENDING, DeliveryStatus.SENDING],
  DELIVERED: [DeliveryStatus.DELIVERED],
  FAILED: [DeliveryStatus.FAILED],
};

function eventTypeOf(body: string): string {
  try {
    return String((JSON.parse(body) as { type?: unknown }).type ?? 'unknown');
  } catch {
    return 'unknown';
  }
}

/** The delivery log across jobs, and test messages to one endpoint. */
export class DeliveriesService {
  constructor(
    private readonly orm: Orm,
    private readonly targetOf: (endpointId: string) => Promise<DeliveryTarget>,
    /** Whether the endpoint is enabled; NotFound for an unknown one. */
    private readonly isEnabled: (endpointId: string) => Promise<boolean>,
    /** Wakes this process's delivery loop, if it runs one. */
    private readonly wakeSender: () => void,
  ) {}

  private em(): Em {
    return this.orm.em.fork() as Em;
  }

  async list(filter: DeliveryFilter): Promise<WebhookDeliveryConnection> {
    if (!Number.isInteger(filter.first) || filter.first < 1 || filter.first > MAX_PAGE) {
      throw new BadUserInputError('first', `expected a whole number 1..${MAX_PAGE}, got ${describe(filter.first)}`);
    }
    const where: FilterQuery<WebhookDelivery> = {};
    if (filter.endpointId === BUILT_IN_ID) Object.assign(where, { endpointId: null, trusted: true });
    else if (filter.endpointId) where.endpointId = parseId('endpointId', filter.endpointId);
    if (filter.status) where.status = { $in: STORED_STATUSES[filter.status] };
    if (filter.since) where.createdAt = { $gte: filter.since };
    if (filter.after) where.id = { $lt: idOfCursor(filter.after) };
    const rows = await this.em().find(WebhookDelivery, where, { orderBy: { id: 'desc' }, limit: filter.first + 1 });
    const page = rows.slice(0, filter.first);
    const nodes = await this.views(page);
    return {
      edges: nodes.map((node) => ({ cursor: cursorOf(Number(node.id)), node })),
      pageInfo: {
        hasNextPage: rows.length > filter.first,
        hasPreviousPage: Boolean(filter.after),
        startCursor: nodes.length ? cursorOf(Number(nodes[0].id)) : null,
        endCursor: nodes.length ? cursorOf(Number(nodes[nodes.length - 1].id)) : null,
      },
    };
  }

  /** A signed `webhook.test` message to the endpoint, whatever its event types; sent and retried as any other. */
  async sendTest(endpointId: string): Promise<WebhookDeliveryView> {
    const target = await this.targetOf(endpointId);
    const body = serializeTestBody(endpointId, new Date());
    const em = this.em();
    const id = await recordMessage(em, 0, target, { messageId: newMessageId(), body });
    this.wakeSender();
    const [view] = await this.views([await em.findOneOrFail(WebhookDelivery, { id })]);
    return view;
  }

  /**
   * Queues the endpoint's messages in `status` (created at or after `since`) again: each keeps its
   * webhook-id and body, goes to the endpoint's URL as it is now, gets a full set of retries, and its
   * attempt numbers run on. The rows are reused, so a message replayed twice is sent once per replay,
   * never duplicated by one. Answers how many were queued.
   */
  async replay(endpointId: string, since: Date | null, status: WebhookDeliveryStatus): Promise<number> {
    if (!(await this.isEnabled(endpointId))) {
      throw new BadUserInputError(
        'endpointId',
        'the endpoint is disabled: enable it first (updateWebhookEndpoint enabled: true), then replay',
      );
    }
    const target = await this.targetOf(endpointId);
    const em = this.em();
    const dialect = dialectOf(em);
    const now = toDbTime(dialect, new Date());
    const byEndpoint = endpointId === BUILT_IN_ID ? 'endpoint_id is null and trusted = 1' : 'endpoint_id = ?';
    const params: BoundValue[] = [target.url, now, now];
    if (endpointId !== BUILT_IN_ID) params.push(target.endpointId!);
    // SENDING is left alone: its attempt is in flight and ends in its own state.
    const statuses = STORED_STATUSES[status].filter((s) => s !== DeliveryStatus.SENDING);
    params.push(...statuses);
    if (since) params.push(toDbTime(dialect, since));
    const queued = await em.transactional((tx) =>
      run(
        tx as Em,
        `update webhook_deliveries
              set status = 'PENDING', url = ?, first_attempt = first_attempt + attempts, attempts = 0, last_error = null,
                  next_attempt_at = ?, updated_at = ?
            where ${byEndpoint} and status in (${placeholders(statuses.length)})${since ? ' and created_at >= ?' : ''}`,
        params,
      ),
    );
    if (queued > 0) this.wakeSender();
    return queued;
  }

  /** Views of deliveries with their attempts, in one query for the logs of the whole page. */
  private async views(rows: readonly WebhookDelivery[]): Promise<WebhookDeliveryView[]> {
    const logs = rows.length
      ? await this.em().find(WebhookLog, { deliveryId: { $in: rows.map((r) => r.id) } }, { orderBy: { id: 'asc' } })
      : [];
    const byDelivery = new Map<number, WebhookLog[]>();
    for (const log of logs) byDelivery.set(log.deliveryId!, [...(byDelivery.get(log.deliveryId!) ?? []), log]);
    return rows.map((row) => {
      const attempts = byDelivery.get(row.id) ?? [];
      return {
        id: String(row.id),
        endpointId: row.endpointId ? String(row.endpointId) : row.trusted ? BUILT_IN_ID : null,
        jobId: row.jobId ? String(row.jobId) : null,
        messageId: row.messageId,
        eventType: eventTypeOf(row.body),
        status: shownStatus(row.status),
        attempts: row.attempts,
        lastError: row.lastError ?? attempts.at(-1)?.error ?? null,
        createdAt: row.createdAt,
        webhookLogs: attempts,
      };
    });
  }
}
