import type { Em, Orm } from '../db/orm.js';
import { dialectOf, query, run, toDbTime } from '../db/sql.js';
import { ConflictError, NotFoundError } from '../graphql/errors.js';
import type { Job } from '../jobs/job.entity.js';
import { JobStatus } from '../jobs/job.enums.js';
import { lockJob } from '../jobs/lock-job.sql.js';
import { recordDelivery, type WebhookTargets } from './outbox.js';
import type { ReceivedWebhook, ReceivedWebhooks } from './received-webhooks.js';
import { DeliveryStatus } from './webhook-delivery.entity.js';

interface LastDelivery {
  id: number;
  status: DeliveryStatus;
  messageId: string;
  body: string;
  url: string;
  trusted: boolean;
}

/** Webhook operations a user can ask for: redeliver a job's message, read what the test receiver got. */
export class WebhooksService {
  constructor(
    private readonly orm: Orm,
    private readonly targets: WebhookTargets,
    private readonly received: ReceivedWebhooks,
    /** Wakes this process's delivery loop, if it runs one; other workers find the row at their next poll. */
    private readonly wakeSender: () => void = () => {},
  ) {}

  private em(): Em {
    return this.orm.em.fork() as Em;
  }

  receivedWebhooks(limit: number): ReceivedWebhook[] {
    return this.received.list(limit);
  }

  /**
   * Sends the job's last message again: same `webhook-id` and body, attempt numbers continuing the
   * job's log. A message still waiting for a retry is made due now instead of being duplicated.
   */
  async redeliver(jobId: number): Promise<Job> {
    const em = this.em();
    const job = await em.transactional(async (tx) => {
      // Concurrent redeliveries of this job wait here for each other; the one that follows sees the
      // message the first queued and makes it due instead of queueing another.
      const job = await lockJob(tx, jobId);
      if (!job) throw new NotFoundError('job', jobId);
      const last = await this.lastDelivery(tx, jobId);
      if (!last) await this.firstMessage(tx, job);
      else if (last.status === DeliveryStatus.SENDING) {
        throw new ConflictError(`job ${jobId}'s webhook is being sent right now; its attempts appear in webhookLogs`);
      } else if (last.status === DeliveryStatus.PENDING) {
        await run(tx, 'update webhook_deliveries set next_attempt_at = ? where id = ? and status = ?', [
          toDbTime(dialectOf(tx), new Date()),
          last.id,
          DeliveryStatus.PENDING,
        ]);
      } else {
        await recordDelivery(tx, job, { url: last.url, trusted: last.trusted }, { messageId: last.messageId, body: last.body });
      }
      return job;
    });
    this.wakeSender();
    return job;
  }

  /** A finished job without a message (finished before webhooks were configured, or seeded): make its first one. */
  private async firstMessage(tx: Em, job: Job): Promise<void> {
    if (job.status !== JobStatus.COMPLETED && job.status !== JobStatus.FAILED) {
      throw new ConflictError(
        `job ${job.id} is ${job.status}: it has no webhook message yet (one is sent when it completes or finally fails)`,
        job.status,
      );
    }
    const target = this.targets.forJob(job);
    if (!target) throw new ConflictError("no webhook target is configured: set OUTBOUND_WEBHOOK or the job's webhookUrl");
    await recordDelivery(tx, job, target);
  }

  private async lastDelivery(tx: Em, jobId: number): Promise<LastDelivery | null> {
    // Locks the row it may update (make due again) against the delivery loop claiming it meanwhile.
    const lock = dialectOf(tx) === 'sqlite' ? '' : ' for update';
    const [row] = await query(
      tx,
      // The job's own message (OUTBOUND_WEBHOOK or its webhookUrl), not a registered endpoint's copy.
      `select id, status, message_id, body, url, trusted from webhook_deliveries where job_id = ? and endpoint_id is null order by id desc limit 1${lock}`,
      [jobId],
    );
    if (!row) return null;
    return {
      id: Number(row.id),
      status: String(row.status) as DeliveryStatus,
      messageId: String(row.message_id),
      body: Buffer.isBuffer(row.body) ? row.body.toString('utf8') : String(row.body),
      url: String(row.url),
      trusted: row.trusted === true || Number(row.trusted) === 1,
    };
  }
}
