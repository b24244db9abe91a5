import { timingSafeEqual } from 'node:crypto';
import { seedSignature, signingKeys, standardSignature, type SigningKeys } from './signatures.js';

/** How far a `webhook-timestamp` may be from our clock, either way (Standard Webhooks' default). */
export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

export type Verdict = { ok: true; standard: boolean } | { ok: false; reason: string };

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Checks a delivery the way a receiver should: `X-Signature` over the raw bytes (required), and the
 * Standard Webhooks headers when any of them is present (then all three, a fresh timestamp and a
 * matching `v1` signature). `headers` are Node's lower-cased request headers. A receiver of many
 * deliveries passes its secret's `signingKeys` made once: keying each HMAC anew costs more than the HMAC.
 */
export function verifyDelivery(rawBody: Buffer, headers: Headers, secret: string | SigningKeys, nowMs = Date.now()): Verdict {
  const keys = typeof secret === 'string' ? signingKeys(secret) : secret;
  const body = rawBody.toString('utf8');
  const xSignature = header(headers, 'x-signature');
  if (!xSignature) return { ok: false, reason: 'missing X-Signature header' };
  if (!sameText(xSignature.trim().toLowerCase(), seedSignature(keys.seed, body))) {
    return { ok: false, reason: 'X-Signature does not match the body (expected hex HMAC-SHA256 of the raw body with WEBHOOK_SECRET)' };
  }

  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signature = header(headers, 'webhook-signature');
  if (id === undefined && timestamp === undefined && signature === undefined) return { ok: true, standard: false };
  for (const [name, value] of [
    ['webhook-id', id],
    ['webhook-timestamp', timestamp],
    ['webhook-signature', signature],
  ] as const) {
    if (!value) return { ok: false, reason: `missing ${name} header (Standard Webhooks headers come as a set of three)` };
  }
  if (!/^\d{1,12}$/.test(timestamp!))
    return { ok: false, reason: `webhook-timestamp: expected unix seconds, got "${timestamp!.slice(0, 40)}"` };
  const skew = Math.floor(nowMs / 1000) - Number(timestamp);
  if (skew > TIMESTAMP_TOLERANCE_SECONDS) {
    return { ok: false, reason: `webhook-timestamp is ${skew} s old (tolerance ±${TIMESTAMP_TOLERANCE_SECONDS} s)` };
  }
  if (-skew > TIMESTAMP_TOLERANCE_SECONDS) {
    return { ok: false, reason: `webhook-timestamp is ${-skew} s in the future (tolerance ±${TIMESTAMP_TOLERANCE_SECONDS} s)` };
  }
  const expected = standardSignature(keys.standard, id!, Number(timestamp), body);
  const matches = signature!.split(' ').some((candidate) => sameText(candidate, expected));
  if (!matches)
    return { ok: false, reason: 'webhook-signature does not match (expected v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">)' };
  return { ok: true, standard: true };
}
