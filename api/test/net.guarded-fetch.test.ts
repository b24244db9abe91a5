import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import ky from 'ky';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertSafeUrl, guardedFetch, SsrfError, type ResolveHost } from '../src/net/ssrf.js';
import { forSuite } from './support/server.js';

/**
 * The SSRF guard at connect time, against a real listener on 127.0.0.1: what the address policy refuses
 * is never connected to; what it admits is reached. The policy's cases are unit tests in src/net/ssrf.test.ts.
 */

/** A resolver that answers from a table, like a DNS server we control. */
const dns =
  (table: Record<string, string[]>): ResolveHost =>
  async (host) => {
    const answer = table[host];
    if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return answer;
  };

describe('guardedFetch', () => {
  const seen: string[] = [];
  const target = forSuite(
    async () => {
      const server = createServer((req, res) => {
        seen.push(`${req.method} ${req.url} host=${req.headers.host}`);
        if (req.url === '/redirect') {
          res.writeHead(302, { location: '/landed' }).end();
          return;
        }
        req.resume();
        req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end('reached'));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return server;
    },
    (server) => new Promise<void>((r) => server.close(() => r())),
  );
  let port: number;
  beforeAll(() => {
    port = (target().address() as AddressInfo).port;
  });

  const receiverDns = dns({ 'receiver.test': ['127.0.0.1'], 'rebind.test': ['127.0.0.1'] });

  it('refuses an IP literal pointing inward before connecting', async () => {
    const before = seen.length;
    await expect(guardedFetch([])(`http://127.0.0.1:${port}/x`)).rejects.toBeInstanceOf(SsrfError);
    await expect(guardedFetch([])(`http://[::ffff:7f00:1]:${port}/x`)).rejects.toThrow(/loopback address in IPv4-mapped form/);
    await expect(guardedFetch([])(`http://localhost:${port}/x`)).rejects.toThrow(/loopback/);
    expect(seen.length).toBe(before);
  });

  it('refuses at connect time a name that resolves to a loopback address', async () => {
    const before = seen.length;
    const error = await guardedFetch([], { resolve: receiverDns })(`http://receiver.test:${port}/x`).catch((e) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).cause).toBeInstanceOf(SsrfError);
    expect(String(((error as Error).cause as Error).message)).toMatch(/receiver\.test \(127\.0\.0\.1\): a loopback address/);
    expect(seen.length).toBe(before);
  });

  it('re-checks at connect time what passed at input time (DNS rebinding)', async () => {
    let calls = 0;
    const rebinding: ResolveHost = async () => (++calls === 1 ? ['93.184.216.34'] : ['127.0.0.1']);
    await expect(assertSafeUrl('url', `http://rebind.test:${port}/x`, [], { resolve: rebinding })).resolves.toBeUndefined();
    const error = await guardedFetch([], { resolve: rebinding })(`http://rebind.test:${port}/x`).catch((e) => e);
    expect((error as Error).cause).toBeInstanceOf(SsrfError);
  });

  it.each([['receiver.test'], ['127.0.0.0/8'], ['127.0.0.1']])('reaches the target once %s is listed, through ky', async (entry) => {
    const res = await ky.post(`http://receiver.test:${port}/through-ky`, {
      body: '{"a":1}',
      retry: 0,
      fetch: guardedFetch([entry], { resolve: receiverDns }),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('reached');
    expect(seen.at(-1)).toBe(`POST /through-ky host=receiver.test:${port}`);
  });

  it('returns a redirect as is instead of following it', async () => {
    const before = seen.length;
    const res = await guardedFetch(['127.0.0.1'])(`http://127.0.0.1:${port}/redirect`);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/landed');
    expect(seen.slice(before)).toEqual([`GET /redirect host=127.0.0.1:${port}`]);
  });
});
