import type { Em } from '../db/orm.js';
import { dialectOf, insertReturningIds, query, run, timeLiteral, type BoundValue } from '../db/sql.js';
import type { ClaimedDelivery } from './sql/claim-deliveries.js';
import type { Job } from '../jobs/job.entity.js';
import { DeliveryStatus, WebhookDelivery } from './webhook-delivery.entity.js';
import { serializeWebhookBody } from './webhook-body.js';
import { newMessageId } from './signatures.js';

/** Where one message goes. The operator's OUTBOUND_WEBHOOK is trusted; per-job URLs are SSRF-guarded. */
export interface DeliveryTarget {
  url: string;
  trusted: boolean;
  /** A registered endpoint: its own secret signs the message. */
  endpointId?: number | null;
}

/** Per-job `webhookUrl` wins; else OUTBOUND_WEBHOOK; else this server's own test receiver. */
export class WebhookTargets {
  private ownReceiver: string | undefined;

  constructor(
    private readonly outbound: string | undefined,
    /** The built-in endpoint's switch (OUTBOUND_WEBHOOK and the own receiver standing in for it). */
    private readonly builtInEnabled: () => boolean = () => true,
  ) {}

  /** Where messages without a per-job URL go; null before listen when OUTBOUND_WEBHOOK is unset. */
  builtInUrl(): string | null {
    return this.outbound ?? this.ownReceiver ?? null;
  }

  /** Known only after the HTTP server listens (the port may be chosen by the OS). */
  useOwnReceiver(baseUrl: string): void {
    this.ownReceiver = `${baseUrl.replace(/\/+$/, '')}/api/webhook-test`;
  }

  forJob(job: Pick<Job, 'webhookUrl'>): DeliveryTarget | null {
    if (job.webhookUrl) return { url: job.webhookUrl, trusted: false };
    const url = this.builtInUrl();
    return url && this.builtInEnabled() ? { url, trusted: true } : null;
  }
}

/** The attempt number the job's next delivery starts at: attempt numbers run on across redeliveries and reruns. */
export async function nextAttemptNumber(em: Em, jobId: number): Promise<number> {
  const [row] = await query<{ fromDeliveries: unknown; fromLogs: unknown }>(
    em,
    `select (select coalesce(max(first_attempt + attempts), 1) from webhook_deliveries where job_id = ?) as fromDeliveries,
            (select coalesce(max(attempt), 0) + 1 from webhook_logs where job_id = ?) as fromLogs`,
    [jobId, jobId],
  );
  return Math.max(Number(row?.fromDeliveries ?? 1), Number(row?.fromLogs ?? 1), 1);
}

/**
 * `nextAttemptNumber` for many jobs in one round trip (a finish batch): jobs with no earlier delivery
 * or log start at 1.
 */
export async function nextAttemptNumbers(em: Em, jobIds: readonly number[]): Promise<Map<number, number>> {
  const next = new Map<number, number>();
  if (jobIds.length === 0) return next;
  const list = jobIds.map(() => '?').join(', ');
  const rows = await query<{ job_id: unknown; next: unknown }>(
    em,
    `select job_id, max(first_attempt + attempts) as next from webhook_deliveries where job_id in (${list}) group by job_id
     union all
     select job_id, max(attempt) + 1 as next from webhook_logs where job_id in (${list}) group by job_id`,
    [...jobIds, ...jobIds],
  );
  for (const row of rows) {
    const id = Number(row.job_id);
    next.set(id, Math.max(next.get(id) ?? 1, Number(row.next ?? 1)));
  }
  return next;
}

export interface OutboxMessage {
  messageId: string;
  body: string;
}

/**
 * Writes a delivery into the outbox with the caller's EntityManager, so it commits or rolls back with
 * the job's final state. The body is serialized here, once; every attempt sends these exact bytes.
 */
export async function recordDelivery(em: Em, job: Job, target: DeliveryTarget, message?: OutboxMessage): Promise<number> {
  return recordMessage(
    em,
    Number(job.id),
    target,
    message ?? { messageId: newMessageId(), body: serializeWebhookBody(job) },
    await nextAttemptNumber(em, Number(job.id)),
  );
}

/** Writes one message into the outbox, due now; `jobId` 0 is a message about no job (`webhook.test`). */
export async function recordMessage(
  em: Em,
  jobId: number,
  target: DeliveryTarget,
  message: OutboxMessage,
  firstAttempt = 1,
): Promise<number> {
  const now = new Date();
  const id = await em.insert(WebhookDelivery, {
    jobId,
    messageId: message.messageId,
    body: message.body,
    url: target.url,
    trusted: target.trusted,
    endpointId: target.endpointId ?? null,
    firstAttempt,
    nextAttemptAt: now,
    createdAt: now,
    updatedAt: now,
  });
  return Number(id);
}

/** Outbox rows a finish writes already leased to this process's sender, which sends them after the commit. */
export interface DeliveryLease {
  token: string;
  until: Date;
  /** How many of the call's rows, from the first, the sender has room for. */
  count: number;
}

/**
 * `recordDelivery` for every job a finish batch ended: one query for the attempt numbers and one
 * multi-row INSERT, instead of two round trips per job inside the finishing transaction. The INSERT is
 * hand-written and bound by the driver: the ORM's `insertMany` formats every value into the SQL text
 * and the text is scanned again, a visible share of a draining worker's CPU.
 * With a lease, its first `count` rows are written SENDING under it, as a claim would leave them, and
 * returned as claimed: the sender skips claiming what it just wrote. The rows commit with the finish
 * all the same, and a sender that dies before sending them loses them to lease expiry, as any claim.
 */
export async function recordDeliveries(
  em: Em,
  items: readonly { job: Job; target: DeliveryTarget }[],
  lease: DeliveryLease | null = null,
): Promise<ClaimedDelivery[]> {
  const claimed: ClaimedDelivery[] = [];
  if (items.length === 0) return claimed;
  const dialect = dialectOf(em);
  const firstAttempts = await nextAttemptNumbers(
    em,
    items.map(({ job }) => Number(job.id)),
  );
  const at = timeLiteral(dialect, new Date());
  const pending = `(?, ?, ?, ?, ?, ?, ?, '${DeliveryStatus.PENDING}', 0, ${at}, ${at}, ${at}, null, null)`;
  const leased =
    lease && `(?, ?, ?, ?, ?, ?, ?, '${DeliveryStatus.SENDING}', 0, ${at}, ${at}, ${at}, ?, ${timeLiteral(dialect, lease.until)})`;
  const leasedCount = lease ? Math.min(lease.count, items.length) : 0;
  // 8 parameters a row at most: 1,000 rows stay far below SQLite's 32,766 and MySQL's 65,535 (a finish batch holds up to 500).
  for (let start = 0; start < items.length; start += DELIVERY_ROWS_PER_STATEMENT) {
    const chunk = items.slice(start, start + DELIVERY_ROWS_PER_STATEMENT);
    const params: BoundValue[] = [];
    const rows: string[] = [];
    const mine: ClaimedDelivery[] = [];
    for (const [k, { job, target }] of chunk.entries()) {
      const id = Number(job.id);
      const message = { messageId: newMessageId(), body: serializeWebhookBody(job) };
      const firstAttempt = firstAttempts.get(id) ?? 1;
      params.push(id, message.messageId, message.body, target.url, target.trusted ? 1 : 0, target.endpointId ?? null, firstAttempt);
      if (start + k < leasedCount) {
        params.push(lease!.token);
        rows.push(leased!);
        mine.push({
          id: 0,
          jobId: id,
          ...message,
          url: target.url,
          trusted: target.trusted,
          endpointId: target.endpointId ?? null,
          attempts: 0,
          firstAttempt,
          leaseToken: lease!.token,
        });
      } else rows.push(pending);
    }
    const sql = `insert into webhook_deliveries (job_id, message_id, body, url, trusted, endpoint_id, first_attempt, status, attempts, next_attempt_at, created_at, updated_at, lease_owner, lease_expires_at)
       values ${rows.join(', ')}`;
    if (mine.length === 0) await run(em, sql, params);
    else {
      const ids = await insertReturningIds(em, sql, params, chunk.length);
      mine.forEach((delivery, k) => (delivery.id = ids[k]));
      claimed.push(...mine);
    }
  }
  return claimed;
}

const DELIVERY_ROWS_PER_STATEMENT = 1000;
