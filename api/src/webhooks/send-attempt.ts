import { isAscii } from 'node:buffer';
import { request, type Dispatcher } from 'undici';
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

/**
 * Reads at most `max` bytes of a body; the rest is discarded unread. The attempt's deadline ends the
 * body with an error, and what arrived until then is kept.
 */
function readPrefix(body: Dispatcher.ResponseData['body'], max: number): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      body.off('data', onData);
      const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      const prefix = bytes.byteLength > max ? bytes.subarray(0, max) : bytes;
      // A multi-byte character cut at the limit is dropped rather than turned into garbage.
      resolve(isAscii(prefix) ? prefix.toString('latin1') : new TextDecoder('utf-8').decode(prefix, { stream: true }));
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.byteLength;
      if (size >= max) {
        body.destroy();
        done();
      }
    };
    body.on('data', onData);
    body.once('end', done);
    body.once('error', done);
  });
}

/** One POST of the stored body with fresh signature headers. Never throws: failures are outcomes. */
export async function sendAttempt(url: string, messageId: string, body: string, options: SendOptions): Promise<AttemptOutcome> {
  const started = Date.now();
  const { timeoutMs, signal } = options;
  // One deadline for the whole attempt: until the headers (an error) and for the first 4 KiB of the body.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new AttemptTimeoutError(timeoutMs)), timeoutMs);
  const onShutdown = () => deadline.abort(signal!.reason);
  signal?.addEventListener('abort', onShutdown, { once: true });
  try {
    if (signal?.aborted) throw signal.reason;
    options.check?.(new URL(url));
    const response = await request(url, {
      method: 'POST',
      body,
      headers: signedHeaders(options.secret, messageId, body),
      dispatcher: options.dispatcher,
      signal: deadline.signal,
    });
    const status = response.statusCode;
    const responseBody = await readPrefix(response.body, MAX_RESPONSE_BODY_BYTES);
    const ok = status >= 200 && status < 300;
    const redirect = status >= 300 && status < 400;
    const retryAfter = response.headers['retry-after'];
    return {
      ok,
      status,
      responseBody,
      error: ok ? null : `HTTP ${status}${redirect ? ' (redirects are not followed)' : ''}`,
      durationMs: Date.now() - started,
      retryAfter: Array.isArray(retryAfter) ? retryAfter.join(', ') : (retryAfter ?? null),
    };
  } catch (error) {
    return {
      ok: false,
      status: null,
      responseBody: null,
      error: describeSendError(error, timeoutMs),
      durationMs: Date.now() - started,
      retryAfter: null,
    };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onShutdown);
  }
}
