import type { Orm } from '../db/orm.js';
import { recordAttempts, type AttemptRecord } from './sql/record-attempt.js';
import type { WebhookLog } from './webhook-log.entity.js';

const MAX_BATCH = 200;

interface Pending {
  record: AttemptRecord;
  alone: boolean;
  resolve: (log: WebhookLog | null) => void;
  reject: (error: unknown) => void;
}

/**
 * Writes finished attempts in batches without waiting for a batch to fill: a write starts as soon as
 * the previous one is done and takes everything that finished meanwhile. Idle it costs one
 * transaction per attempt; busy, one commit covers many (the engine's Finisher does the same for jobs).
 * A batch that fails is split so one bad record cannot hold back the others.
 */
export class AttemptRecorder {
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;

  constructor(private readonly orm: Orm) {}

  /** Resolves with the attempt's log row, or null when the lease was lost; rejects when it cannot be written. */
  record(record: AttemptRecord): Promise<WebhookLog | null> {
    return new Promise((resolve, reject) => {
      this.queue.push({ record, alone: false, resolve, reject });
      this.flushing ??= this.flush().finally(() => (this.flushing = null));
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue[0].alone ? this.queue.splice(0, 1) : this.queue.splice(0, MAX_BATCH);
      try {
        const logs = await recordAttempts(
          this.orm,
          batch.map((p) => p.record),
        );
        batch.forEach((p, i) => p.resolve(logs[i]));
      } catch (error) {
        if (batch.length === 1) batch[0].reject(error);
        else this.queue.unshift(...batch.map((p) => ({ ...p, alone: true })));
      }
    }
  }
}
