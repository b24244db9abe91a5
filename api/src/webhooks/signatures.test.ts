import { createHmac, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { Job } from '../jobs/job.entity.js';
import { JobStatus, Priority } from '../jobs/job.enums.js';
import { newEndpointSecret, newMessageId, signedHeaders, signingKeys } from './signatures.js';
import { serializeWebhookBody } from './webhook-body.js';

/** The seed README's snippet, verbatim apart from types: it re-serializes the parsed body. */
function verifySignature(payload: unknown, signature: string, secret: string): boolean {
  const hmac = createHmac('sha256', secret);
  hmac.update(JSON.stringify(payload));
  const expected = hmac.digest('hex');
  return signature === expected;
}

function finishedJob(overrides: Partial<Job> = {}): Job {
  return Object.assign(new Job(), {
    id: 42,
    taskName: 'send-email',
    priority: Priority.HIGH,
    status: JobStatus.COMPLETED,
    // Unicode, escapes, integer-like keys, nesting, numbers that print oddly: the body must re-serialize to itself.
    payload: {
      to: 'ana@example.com',
      subject: 'Grüße — ✓ "quoted" \\ \n',
      10: 'ten',
      2: 'two',
      nested: { a: [1, 2.5, -0, 1e21, null, true] },
    },
    completedAt: new Date('2026-01-02T03:04:05.678Z'),
    runDurationMs: 3254,
    attempts: 1,
    ...overrides,
  });
}

describe('serializeWebhookBody', () => {
  it('has exactly the SPEC keys in order and re-serializes to the same bytes', () => {
    const body = serializeWebhookBody(finishedJob());
    const parsed = JSON.parse(body);
    expect(Object.keys(parsed)).toEqual([
      'type',
      'jobId',
      'taskName',
      'priority',
      'status',
      'payload',
      'completedAt',
      'runDurationMs',
      'attempts',
    ]);
    expect(parsed).toMatchObject({
      type: 'job.completed',
      jobId: 42,
      priority: 'HIGH',
      status: 'COMPLETED',
      completedAt: '2026-01-02T03:04:05.678Z',
      runDurationMs: 3254,
    });
    expect(JSON.stringify(JSON.parse(body))).toBe(body);
  });

  it('a finally failed job says so and carries its last error', () => {
    const body = JSON.parse(
      serializeWebhookBody(finishedJob({ status: JobStatus.FAILED, attempts: 3, lastError: 'boom', priority: Priority.LOW })),
    );
    expect(body).toMatchObject({ type: 'job.failed', status: 'FAILED', attempts: 3, lastError: 'boom', priority: 'LOW' });
    expect(Object.keys(body).at(-1)).toBe('lastError');
  });
});

describe('signedHeaders', () => {
  const body = serializeWebhookBody(finishedJob());

  it("satisfies the seed's verifySignature with X-Signature", () => {
    const headers = signedHeaders('dev-webhook-secret', newMessageId(), body);
    expect(verifySignature(JSON.parse(body), headers['x-signature'], 'dev-webhook-secret')).toBe(true);
    expect(verifySignature(JSON.parse(body), headers['x-signature'], 'another-secret')).toBe(false);
  });

  it('satisfies the standardwebhooks package with a whsec_ secret', () => {
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const headers = signedHeaders(secret, newMessageId(), body);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(`whsec_${randomBytes(24).toString('base64')}`).verify(body, headers)).toThrow(/No matching signature/);
  });

  it('satisfies the standardwebhooks package with a plain secret in raw format', () => {
    const headers = signedHeaders('dev-webhook-secret', newMessageId(), body);
    expect(new Webhook('dev-webhook-secret', { format: 'raw' }).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook('dev-webhook-secreT', { format: 'raw' }).verify(body, headers)).toThrow(/No matching signature/);
    expect(() => new Webhook('dev-webhook-secret', { format: 'raw' }).verify(`${body} `, headers)).toThrow(/No matching signature/);
  });

  it('keeps the message id across attempts and stamps each attempt with its own time', () => {
    const id = newMessageId();
    const first = signedHeaders('s', id, body, new Date('2026-01-01T00:00:00Z'));
    const second = signedHeaders('s', id, body, new Date('2026-01-01T00:00:02Z'));
    expect(first['webhook-id']).toBe(id);
    expect(second['webhook-id']).toBe(id);
    expect(Number(second['webhook-timestamp']) - Number(first['webhook-timestamp'])).toBe(2);
    expect(second['webhook-signature']).not.toBe(first['webhook-signature']);
    expect(second['x-signature']).toBe(first['x-signature']);
  });

  it('signs the same with the keys made once as with the secret, for plain and whsec_ secrets', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    for (const secret of ['dev-webhook-secret', 'Grüße ✓', `whsec_${randomBytes(24).toString('base64')}`]) {
      const keys = signingKeys(secret);
      const id = newMessageId();
      expect(signedHeaders(keys, id, body, at)).toEqual(signedHeaders(secret, id, body, at));
      expect(signedHeaders(keys, id, body, at)).toEqual(signedHeaders(keys, id, body, at));
    }
  });
});

describe('signatures during a secret rotation', () => {
  const body = '{"type":"job.completed","jobId":1}';
  const fresh = newEndpointSecret();
  const old = newEndpointSecret();

  it('carries one v1 signature per key, the new one first; either secret verifies, X-Signature is the new one', () => {
    const headers = signedHeaders(signingKeys(fresh, [old]), newMessageId(), body);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(headers['webhook-signature'].split(' ')[0]).toBe(signedHeaders(fresh, headers['webhook-id'], body)['webhook-signature']);
    expect(() => new Webhook(fresh).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(old).verify(body, headers)).not.toThrow();
    expect(headers['x-signature']).toBe(createHmac('sha256', fresh).update(body).digest('hex'));
  });

  it('without a previous secret the old one no longer verifies', () => {
    const headers = signedHeaders(signingKeys(fresh), newMessageId(), body);
    expect(() => new Webhook(old).verify(body, headers)).toThrow();
  });

  it('makes whsec_ secrets of 24 random bytes, base64', () => {
    expect(Buffer.from(fresh.slice('whsec_'.length), 'base64')).toHaveLength(24);
    expect(fresh).not.toBe(old);
  });
});
