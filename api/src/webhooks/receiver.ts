import type { FastifyInstance } from 'fastify';
import type { ReceivedWebhooks } from './received-webhooks.js';
import { signingKeys } from './signatures.js';
import { verifyDelivery } from './verify-signatures.js';

/** Bodies kept for the dashboard: a job's payload (≤ 64 KiB) plus the envelope fits; 100 of them stay small. */
const MAX_KEPT_BODY_BYTES = 128 * 1024;

function parseBody(raw: Buffer): unknown {
  if (raw.length > MAX_KEPT_BODY_BYTES) return null;
  const text = raw.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function pick(body: unknown, key: string): unknown {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>)[key] : undefined;
}

/**
 * `POST /api/webhook-test`: the receiver a fresh install sends its webhooks to. Verifies the
 * signatures over the raw bytes (so its own content parser keeps the body as a Buffer, in a scope
 * that leaves every other route's parsers alone) and remembers what it got for the dashboard.
 */
export async function registerWebhookReceiver(app: FastifyInstance, secret: string, received: ReceivedWebhooks): Promise<void> {
  const keys = signingKeys(secret);
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    scope.post('/api/webhook-test', async (req, reply) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const verdict = verifyDelivery(raw, req.headers, keys);
      const body = parseBody(raw);
      const jobId = Number(pick(body, 'jobId'));
      const webhookId = req.headers['webhook-id'];
      received.add({
        receivedAt: new Date(),
        valid: verdict.ok,
        reason: verdict.ok ? null : verdict.reason,
        standardWebhooks: verdict.ok ? verdict.standard : webhookId !== undefined,
        webhookId: typeof webhookId === 'string' ? webhookId : null,
        type: typeof pick(body, 'type') === 'string' ? (pick(body, 'type') as string) : null,
        jobId: Number.isSafeInteger(jobId) && jobId > 0 ? jobId : null,
        body,
        bodyBytes: raw.length,
      });
      if (!verdict.ok) return reply.code(401).send({ ok: false, error: 'invalid signature', reason: verdict.reason });
      return reply.code(200).send({ ok: true });
    });
  });
}
