import { describe, expect, it } from 'vitest';
import { signedHeaders } from './signatures.js';
import { verifyDelivery } from './verify-signatures.js';

const secret = 'dev-webhook-secret';
const body =
  '{"type":"job.completed","jobId":1,"taskName":"noop","priority":"LOW","status":"COMPLETED","payload":{},"completedAt":"2026-01-01T00:00:00.000Z","runDurationMs":5,"attempts":1}';
const now = Date.parse('2026-01-01T00:00:10Z');
const headers = (at = new Date(now), s = secret) => signedHeaders(s, 'msg_1', body, at) as Record<string, string | undefined>;

describe('verifyDelivery', () => {
  it('accepts a delivery signed both ways', () => {
    expect(verifyDelivery(Buffer.from(body), headers(), secret, now)).toEqual({ ok: true, standard: true });
  });

  it('accepts the seed scheme alone when no Standard Webhooks header is present', () => {
    const { 'x-signature': xs } = headers();
    expect(verifyDelivery(Buffer.from(body), { 'x-signature': xs }, secret, now)).toEqual({ ok: true, standard: false });
  });

  it('refuses a body with one byte flipped', () => {
    const flipped = Buffer.from(body);
    flipped[10] ^= 0x01;
    expect(verifyDelivery(flipped, headers(), secret, now)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/X-Signature does not match/),
    });
  });

  it('refuses a delivery signed with another secret', () => {
    expect(verifyDelivery(Buffer.from(body), headers(new Date(now), 'wrong'), secret, now)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/X-Signature does not match/),
    });
  });

  it('refuses a missing X-Signature, and a Standard Webhooks set with a header missing', () => {
    expect(verifyDelivery(Buffer.from(body), { ...headers(), 'x-signature': undefined }, secret, now)).toEqual({
      ok: false,
      reason: 'missing X-Signature header',
    });
    expect(verifyDelivery(Buffer.from(body), { ...headers(), 'webhook-timestamp': undefined }, secret, now)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/missing webhook-timestamp header/),
    });
  });

  it('refuses a timestamp 6 minutes old or ahead, accepts 4 minutes', () => {
    expect(verifyDelivery(Buffer.from(body), headers(new Date(now - 6 * 60_000)), secret, now)).toEqual({
      ok: false,
      reason: 'webhook-timestamp is 360 s old (tolerance ±300 s)',
    });
    expect(verifyDelivery(Buffer.from(body), headers(new Date(now + 6 * 60_000)), secret, now)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/in the future/),
    });
    expect(verifyDelivery(Buffer.from(body), headers(new Date(now - 4 * 60_000)), secret, now)).toMatchObject({ ok: true });
  });

  it('refuses a webhook-signature for another message id, accepts one of several (key rotation)', () => {
    const good = headers();
    const other = signedHeaders(secret, 'msg_2', body, new Date(now));
    expect(verifyDelivery(Buffer.from(body), { ...good, 'webhook-signature': other['webhook-signature'] }, secret, now)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/webhook-signature does not match/),
    });
    expect(
      verifyDelivery(Buffer.from(body), { ...good, 'webhook-signature': `v1,bm90LWl0 ${good['webhook-signature']}` }, secret, now),
    ).toMatchObject({ ok: true });
  });
});
