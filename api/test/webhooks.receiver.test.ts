import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { seedSignature, signedHeaders } from '../src/webhooks/signatures.js';
import { serverForSuite, sqlite, type TestServer } from './support/server.js';

const SECRET = 'receiver-test-secret';
const body = JSON.stringify({
  type: 'job.completed',
  jobId: 7,
  taskName: 'noop',
  priority: 'LOW',
  status: 'COMPLETED',
  payload: { a: 'ü' },
  completedAt: new Date().toISOString(),
  runDurationMs: 3,
  attempts: 1,
});

async function post(server: TestServer, payload: string | Buffer, headers: Record<string, string | undefined>) {
  const clean = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)) as Record<string, string>;
  const res = await fetch(`${server.url}/api/webhook-test`, { method: 'POST', headers: clean, body: payload });
  return { status: res.status, json: (await res.json()) as { ok: boolean; reason?: string } };
}

// The receiver keeps nothing in the database: one SQLite server covers it.
describe('POST /api/webhook-test', () => {
  const server = serverForSuite(sqlite, { WEBHOOK_SECRET: SECRET, ROLE: 'api' });

  it('answers 200 {"ok":true} to a delivery signed both ways', async () => {
    expect(await post(server(), body, signedHeaders(SECRET, 'msg_valid', body))).toEqual({ status: 200, json: { ok: true } });
  });

  it('answers 200 to the seed scheme alone, whatever the content type', async () => {
    const res = await post(server(), body, { 'content-type': 'text/plain', 'x-signature': seedSignature(SECRET, body) });
    expect(res).toEqual({ status: 200, json: { ok: true } });
  });

  it.each([
    [
      'a flipped body byte',
      () => ({ payload: body.replace('"noop"', '"noOp"'), headers: signedHeaders(SECRET, 'm', body) }),
      /X-Signature does not match/,
    ],
    ['a wrong secret', () => ({ payload: body, headers: signedHeaders('not-the-secret', 'm', body) }), /X-Signature does not match/],
    [
      'a missing X-Signature',
      () => ({ payload: body, headers: { ...signedHeaders(SECRET, 'm', body), 'x-signature': undefined } }),
      /missing X-Signature header/,
    ],
    [
      'a missing webhook-signature',
      () => ({ payload: body, headers: { ...signedHeaders(SECRET, 'm', body), 'webhook-signature': undefined } }),
      /missing webhook-signature header/,
    ],
    [
      'a timestamp 6 minutes old',
      () => ({ payload: body, headers: signedHeaders(SECRET, 'm', body, new Date(Date.now() - 6 * 60_000)) }),
      /webhook-timestamp is 36\d s old/,
    ],
    [
      'a Standard Webhooks signature of another message',
      () => ({ payload: body, headers: { ...signedHeaders(SECRET, 'm', body), 'webhook-id': 'other' } }),
      /webhook-signature does not match/,
    ],
  ])('answers 401 with a reason to %s', async (_name, make, reason) => {
    const { payload, headers } = make();
    const res = await post(server(), payload, headers as Record<string, string | undefined>);
    expect(res.status).toBe(401);
    expect(res.json.ok).toBe(false);
    expect(res.json.reason).toMatch(reason);
  });

  it('flipping any single byte is refused', async () => {
    const bytes = Buffer.from(body);
    bytes[bytes.length - 2] ^= 0x02;
    const res = await post(server(), bytes, signedHeaders(SECRET, 'm', body));
    expect(res.status).toBe(401);
  });

  it('lists what it received, newest first, with the verdicts', async () => {
    const res = await server().gql(
      '{ receivedWebhooks(limit: 3) { id receivedAt valid reason standardWebhooks webhookId type jobId body bodyBytes } }',
    );
    expect(res.errors).toBeUndefined();
    const [newest, previous] = res.data.receivedWebhooks;
    expect(newest).toMatchObject({
      valid: false,
      reason: expect.stringMatching(/X-Signature does not match/),
      type: 'job.completed',
      jobId: '7',
    });
    expect(previous).toMatchObject({
      valid: false,
      reason: expect.stringMatching(/webhook-signature does not match/),
      webhookId: 'other',
      standardWebhooks: true,
    });
    expect(Number(newest.id)).toBeGreaterThan(Number(previous.id));
    const valid = (await server().gql('{ receivedWebhooks { valid webhookId body bodyBytes } }')).data.receivedWebhooks.find(
      (r: { webhookId: string }) => r.webhookId === 'msg_valid',
    );
    expect(valid).toEqual({ valid: true, webhookId: 'msg_valid', body: JSON.parse(body), bodyBytes: Buffer.byteLength(body) });
  });

  it('keeps only the last 100', async () => {
    for (let i = 0; i < 105; i++) await post(server(), `{"n":${i}}`, { 'x-signature': seedSignature(SECRET, `{"n":${i}}`) });
    const list = (await server().gql('{ receivedWebhooks { body valid } }')).data.receivedWebhooks;
    expect(list).toHaveLength(100);
    expect(list[0]).toEqual({ body: { n: 104 }, valid: true });
    expect(list[99]).toEqual({ body: { n: 5 }, valid: true });
  });

  it('refuses a limit outside 1..100', async () => {
    const res = await server().gql('{ receivedWebhooks(limit: 0) { id } }');
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'limit' });
  });
});

describe('POST /api/webhook-test with a whsec_ secret', () => {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const server = serverForSuite(sqlite, { WEBHOOK_SECRET: secret, ROLE: 'api' });

  it('accepts headers made by the standardwebhooks package itself', async () => {
    const id = 'msg_from_library';
    const at = new Date();
    const headers = {
      'content-type': 'application/json',
      'x-signature': seedSignature(secret, body),
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, at, body),
    };
    expect(await post(server(), body, headers)).toEqual({ status: 200, json: { ok: true } });
    expect(
      (
        await post(server(), body, {
          ...headers,
          'webhook-signature': new Webhook(`whsec_${randomBytes(32).toString('base64')}`).sign(id, at, body),
        })
      ).status,
    ).toBe(401);
  });
});
