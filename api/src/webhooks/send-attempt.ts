import { isAscii } from 'node:buffer';
import type { Dispatcher } from 'undici';
import { signedHeaders, type SigningKeys } from './signatures.js';
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
  /** WEBHOOK_SECRET, or its keys made once (`signingKeys`). */
  secret: string | SigningKeys;
  timeoutMs: number;
  /** Keeps a pool of keep-alive connections per origin; the guarded one re-checks each connection's addresses. */
  dispatcher: Dispatcher;
  /** The SSRF check of the URL as written (throws SsrfError); absent for the operator's trusted targets. */
  check?: (url: URL) => void;
  /** Aborts an attempt in flight (shutdown past its grace period). */
  signal?: AbortSignal;
}

/** The attempt's deadline passed before the response headers arrived. */
export class AttemptTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`timeout after ${timeoutMs} ms`);
    this.name = 'AttemptTimeoutError';
  }
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
  if (error instanceof AttemptTimeoutError) return `timeout after ${timeoutMs} ms`;
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

/** The first `max` bytes of a body; a multi-byte character cut at the limit is dropped rather than turned into garbage. */
function decodePrefix(chunks: readonly Buffer[], max: number): string {
  const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
  const prefix = bytes.byteLength > max ? bytes.subarray(0, max) : bytes;
  return isAscii(prefix) ? prefix.toString('latin1') : new TextDecoder('utf-8').decode(prefix, { stream: true });
}

/** Where a URL goes, parsed once for the many deliveries to one target. */
let lastTarget: { url: string; parsed: URL; path: string } | null = null;
function targetOf(url: string): { parsed: URL; path: string } {
  if (lastTarget?.url !== url) {
    const parsed = new URL(url);
    lastTarget = { url, parsed, path: `${parsed.pathname}${parsed.search}` };
  }
  return lastTarget;
}

/**
 * One POST of the stored body with fresh signature headers. Never throws: failures are outcomes.
 * On undici's dispatcher API: no stream or promise per response, a callback per event of it.
 * One deadline covers the whole attempt: until the headers (else a timeout error) and for the first
 * 4 KiB of the body (what arrived by then is kept). The rest of a body is discarded unread.
 */
export function sendAttempt(url: string, messageId: string, body: string, options: SendOptions): Promise<AttemptOutcome> {
  const started = Date.now();
  const { timeoutMs, signal } = options;
  return new Promise<AttemptOutcome>((resolve) => {
    let controller: Dispatcher.DispatchController | null = null;
    let abortWith: Error | null = null;
    let status = 0;
    let retryAfter: string | null = null;
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;

    const settle = (outcome: Omit<AttemptOutcome, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onShutdown);
      resolve({ ...outcome, durationMs: Date.now() - started });
    };
    const answered = () => {
      const ok = status >= 200 && status < 300;
      const redirect = status >= 300 && status < 400;
      settle({
        ok,
        status,
        responseBody: size === 0 ? '' : decodePrefix(chunks, MAX_RESPONSE_BODY_BYTES),
        error: ok ? null : `HTTP ${status}${redirect ? ' (redirects are not followed)' : ''}`,
        retryAfter,
      });
    };
    const failed = (error: unknown) => {
      // Once the headers are in, the attempt has its answer: a body cut short keeps what arrived.
      if (status !== 0) return answered();
      settle({ ok: false, status: null, responseBody: null, error: describeSendError(error, timeoutMs), retryAfter: null });
    };
    const stop = (reason: Error) => {
      failed(reason);
      abortWith = reason;
      controller?.abort(reason);
    };
    const timer = setTimeout(() => stop(new AttemptTimeoutError(timeoutMs)), timeoutMs);
    const onShutdown = () => stop(signal!.reason as Error);
    if (signal?.aborted) return onShutdown();
    signal?.addEventListener('abort', onShutdown, { once: true });

    try {
      const { parsed, path } = targetOf(url);
      options.check?.(parsed);
      options.dispatcher.dispatch(
        { origin: parsed.origin, path, method: 'POST', body, headers: signedHeaders(options.secret, messageId, body) },
        {
          onRequestStart(c) {
            controller = c;
            if (abortWith) c.abort(abortWith);
          },
          onResponseStart(c, statusCode, headers) {
            if (statusCode < 200) return; // 1xx: the final answer follows
            status = statusCode;
            const value = headers['retry-after'];
            retryAfter = Array.isArray(value) ? value.join(', ') : (value ?? null);
          },
          onResponseData(c, chunk) {
            chunks.push(chunk);
            size += chunk.byteLength;
            if (size >= MAX_RESPONSE_BODY_BYTES) {
              answered();
              c.abort(new Error('response body beyond what is kept'));
            }
          },
          onResponseEnd: () => answered(),
          onResponseError: (_c, error) => failed(error),
        },
      );
    } catch (error) {
      failed(error);
    }
  });
}
