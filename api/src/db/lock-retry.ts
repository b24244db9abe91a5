/**
 * MySQL/MariaDB report a lost lock race as deadlock 1213 (or lock wait timeout 1205); SQLite as
 * SQLITE_BUSY. Claimers that update rows another claimer skipped can deadlock by design — the loser
 * simply tries again, so these never surface as a job failure.
 */
export function isLockConflict(error: unknown): boolean {
  type DriverError = { errno?: unknown; code?: unknown; name?: unknown; cause?: unknown };
  for (let e = error as DriverError | undefined, depth = 0; e && depth < 4; e = e.cause as DriverError | undefined, depth++) {
    const errno = Number(e.errno);
    if (errno === 1213 || errno === 1205) return true;
    if (e.code === 'ER_LOCK_DEADLOCK' || e.code === 'ER_LOCK_WAIT_TIMEOUT' || e.code === 'SQLITE_BUSY') return true;
    if (e.name === 'DeadlockException' || e.name === 'LockWaitTimeoutException') return true;
  }
  return false;
}

const MAX_TRIES = 8;

export async function withLockRetry<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!isLockConflict(error) || attempt >= MAX_TRIES) throw error;
      // A few ms of random spread stops two losers from colliding again in lockstep.
      await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
    }
  }
}
