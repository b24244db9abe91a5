import ky, { TimeoutError } from 'ky';
import { signedHeaders } from './signatures.js';
import { SsrfError } from '../net/ssrf.js';

/** `responseBody` keeps this much of what a receiver answers. */
export const MAX_RESPONSE_BODY_BYTES = 4 * 1024;

export interface AttemptOutcome {
  ok: boolean;
  status: number | null;
  responseBody: string | null;
  error: string | null;
  durationMs: number;
  retryAfter: string | null;
}

export interface SendOptions {
  secret: string;
  timeoutMs: number;
  fetch: typeof fetch;
  /** Aborts an attempt in flight (shutdown past its grace period). */
  signal?: AbortSignal;
}

const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the receiver',
  EPIPE: 'connection closed by the receiver while sending',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed (temporary DNS failure)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connect timeout',
  UND_ERR_CONNECT_TIMEOUT: 'connect timeout',
  UND_ERR_SOCKET: 'connection closed by the receiver',
  UND_ERR_HEADERS_OVERFLOW: 'response headers too large',
};

/** Says what went wrong in words a person reading the webhook log understands. */
export function describeSendError(error: unknown, timeoutMs: number): string {
  if (error instanceof TimeoutError) return `timeout after ${timeoutMs} ms`;
  for (let e: unknown = error, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof SsrfError) return e.message;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_ERRORS[code]) return NETWORK_ERRORS[code];
    if (typeof code === 'string' && /CERT|TLS|SSL/.test(code)) return `TLS error: ${(e as Error).message}`;
  }
  // Node's fetch says only "fetch failed"; the innermost cause says why.
  let innermost = error as { message?: string; cause?: unknown };
  while (innermost?.cause && typeof innermost.cause === 'object') innermost = innermost.cause as typeof innermost;
  return innermost?.message || String(error);
}

/** Reads at most `max` bytes of a body, giving up at the deadline; the rest is discarded unread. */
async function readPrefix(response: Response, max: number, deadlineMs: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => (timer = setTimeout(() => resolve('expired'), Math.max(0, deadlineMs - Date.now()))));
  try {
    while (size < max) {
      const next = await Promise.race([reader.read(), expired]);
      if (next === 'expired' || next.done) break;
      chunks.push(next.value);
      size += next.value.byteLength;
    }
  } finally {
    clearTimeout(timer);
    reader.cancel().catch(() => {});
  }
  const bytes = Buffer.concat(chunks).subarray(0, max);
  // A multi-byte character cut at the limit is dropped rather than turned into garbage.
  return new TextDecoder('utf-8').decode(bytes, { stream: true });
}

/** One POST of the stored body with fresh signature headers. Never throws: failures are outcomes. */
export async function sendAttempt(url: string, messageId: string, body: string, options: SendOptions): Promise<AttemptOutcome> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  try {
    const response = await ky.post(url, {
      body,
      headers: signedHeaders(options.secret, messageId, body),
      retry: 0, // retries are durable, in the outbox, not in memory
      timeout: options.timeoutMs,
      throwHttpErrors: false,
      redirect: 'manual',
      fetch: options.fetch,
      signal: options.signal,
    });
    const responseBody = await readPrefix(response, MAX_RESPONSE_BODY_BYTES, deadline);
    const ok = response.status >= 200 && response.status < 300;
    const redirect = response.status >= 300 && response.status < 400;
    return {
      ok,
      status: response.status,
      responseBody,
      error: ok ? null : `HTTP ${response.status}${redirect ? ' (redirects are not followed)' : ''}`,
      durationMs: Date.now() - started,
      retryAfter: response.headers.get('retry-after'),
    };
  } catch (error) {
    return {
      ok: false,
      status: null,
      responseBody: null,
      error: describeSendError(error, options.timeoutMs),
      durationMs: Date.now() - started,
      retryAfter: null,
    };
  }
}
