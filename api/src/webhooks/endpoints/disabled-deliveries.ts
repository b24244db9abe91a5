import type { Em } from '../../db/orm.js';
import { dialectOf, run, timeLiteral, type BoundValue } from '../../db/sql.js';
import { DeliveryStatus } from '../webhook-delivery.entity.js';

/** Why a message to a disabled endpoint is FAILED without an attempt. */
export const ENDPOINT_DISABLED_ERROR = 'endpoint disabled';

/** A message for a disabled endpoint: kept in its delivery log so a replay can send it after re-enabling. */
export interface UnsentMessage {
  jobId: number;
  endpointId: number;
  url: string;
  messageId: string;
  body: string;
  firstAttempt: number;
}

const ROWS_PER_STATEMENT = 1000;

/** Writes the messages FAILED ("endpoint disabled"), never due, in the caller's transaction. */
export async function recordUnsent(em: Em, messages: readonly UnsentMessage[]): Promise<void> {
  if (messages.length === 0) return;
  const at = timeLiteral(dialectOf(em), new Date());
  const row = `(?, ?, ?, ?, 0, ?, ?, '${DeliveryStatus.FAILED}', 0, ?, ${at}, ${at}, ${at})`;
  for (let start = 0; start < messages.length; start += ROWS_PER_STATEMENT) {
    const chunk = messages.slice(start, start + ROWS_PER_STATEMENT);
    const params: BoundValue[] = [];
    for (const m of chunk) params.push(m.jobId, m.messageId, m.body, m.url, m.endpointId, m.firstAttempt, ENDPOINT_DISABLED_ERROR);
    await run(
      em,
      `insert into webhook_deliveries (job_id, message_id, body, url, trusted, endpoint_id, first_attempt, status, attempts, last_error, next_attempt_at, created_at, updated_at)
       values ${chunk.map(() => row).join(', ')}`,
      params,
    );
  }
}
