import { ConnectionException } from '@mikro-orm/core';

/**
 * Whether an error means "the database cannot be reached right now" (refused, reset, timed out, too
 * many connections) rather than a bug: such failures are answered with a retryable DATABASE_UNAVAILABLE
 * instead of an internal error, and workers back off on them.
 */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'SQLITE_BUSY',
  'SQLITE_CANTOPEN',
]);

export function isDatabaseUnavailable(error: unknown): boolean {
  // Drivers and the ORM wrap errors several layers deep (`cause`, `previous`, `originalError`).
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    if (current instanceof ConnectionException) return true;
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    if (
      typeof message === 'string' &&
      /connection (is in closed state|lost)|Can't add new command when connection is in closed state|Pool is closed/i.test(message)
    ) {
      return true;
    }
    const next = current as { cause?: unknown; previous?: unknown; originalError?: unknown };
    current = next.originalError ?? next.cause ?? next.previous;
  }
  return false;
}
