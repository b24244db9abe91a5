import { IsolationLevel } from '@mikro-orm/core';
import type { SqlDialect } from './sql.js';

/**
 * Engine transactions on MySQL/MariaDB run READ COMMITTED. Under the default REPEATABLE READ a
 * `FOR UPDATE SKIP LOCKED` claim takes next-key (gap) locks along the claim index, and the gap just
 * before the first PENDING entry is where every newly COMPLETED row's index entry goes: with several
 * workers claiming non-stop, finishing transactions queued behind those gap locks until lock-wait
 * timeouts. READ COMMITTED takes record locks only.
 * Redeliveries and deletes run in it too: their locking reads of a job's webhook rows would otherwise
 * hold the gap where a concurrent transaction's outbox INSERT goes (a deadlock, seen in tests).
 */
export function readCommittedTx(dialect: SqlDialect): { isolationLevel?: IsolationLevel } {
  return dialect === 'sqlite' ? {} : { isolationLevel: IsolationLevel.READ_COMMITTED };
}
