import { createHmac, createSecretKey, randomBytes, randomUUID, type KeyObject } from 'node:crypto';

/**
 * Both signature schemes, over the same bytes. The seed's `X-Signature` is hex HMAC-SHA256 of the
 * body with WEBHOOK_SECRET. Standard Webhooks (standardwebhooks.com) signs `{id}.{timestamp}.{body}`
 * with a key that is the base64-decoded part of a `whsec_…` secret, else the secret's UTF-8 bytes.
 */

const WHSEC_PREFIX = 'whsec_';

export function seedSignature(secret: string | KeyObject, body: string): string {
  return createHmac('sha256', secret).update(body, 'utf8').digest('hex');
}

export function standardKey(secret: string): Buffer {
  return secret.startsWith(WHSEC_PREFIX) ? Buffer.from(secret.slice(WHSEC_PREFIX.length), 'base64') : Buffer.from(secret, 'utf8');
}

/** `v1,<base64>` for one message id, unix-seconds timestamp and body. */
export function standardSignature(key: Buffer | KeyObject, messageId: string, timestampSeconds: number, body: string): string {
  return `v1,${createHmac('sha256', key).update(`${messageId}.${timestampSeconds}.${body}`, 'utf8').digest('base64')}`;
}

/**
 * A Standard Webhooks message id: stays the same for every attempt and redelivery of one message.
 * 122 random bits from `randomUUID`, which draws on a cached pool of entropy (cheaper than
 * `randomBytes(16)` per message on a draining worker).
 */
export function newMessageId(): string {
  return `msg_${randomUUID().replaceAll('-', '')}`;
}

/**
 * Both keys of a secret, made once: an HMAC keyed with a string or a Buffer turns it into a key
 * object on every call, which cost ~4× the two HMACs of a small body.
 */
export interface SigningKeys {
  seed: KeyObject;
  standard: KeyObject;
  /** Standard Webhooks keys of secrets in their rotation grace: each adds a `v1,` signature. */
  previous?: readonly KeyObject[];
}

export function signingKeys(secret: string, previousSecrets: readonly string[] = []): SigningKeys {
  return {
    seed: createSecretKey(Buffer.from(secret, 'utf8')),
    standard: createSecretKey(standardKey(secret)),
    previous: previousSecrets.map((old) => createSecretKey(standardKey(old))),
  };
}

/** A `whsec_` secret with 192 random bits, as Svix makes them. */
export function newEndpointSecret(): string {
  return `${WHSEC_PREFIX}${randomBytes(24).toString('base64')}`;
}

/** Every header of one attempt; the timestamp is the attempt's own. */
export function signedHeaders(
  secret: string | SigningKeys,
  messageId: string,
  body: string,
  at: Date = new Date(),
): Record<string, string> {
  const keys = typeof secret === 'string' ? signingKeys(secret) : secret;
  const timestamp = Math.floor(at.getTime() / 1000);
  return {
    'content-type': 'application/json',
    'user-agent': 'jobs-scheduler-webhooks/1.0',
    'x-signature': seedSignature(keys.seed, body),
    'webhook-id': messageId,
    'webhook-timestamp': String(timestamp),
    // Standard Webhooks: several signatures are space separated; a receiver accepts any that verifies.
    'webhook-signature': [keys.standard, ...(keys.previous ?? [])]
      .map((key) => standardSignature(key, messageId, timestamp, body))
      .join(' '),
  };
}
