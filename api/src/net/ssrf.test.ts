import { describe, expect, it } from 'vitest';
import { assertSafeUrl, type ResolveHost } from './ssrf.js';

/** A resolver that answers from a table, like a DNS server we control. */
const dns =
  (table: Record<string, string[]>): ResolveHost =>
  async (host) => {
    const answer = table[host];
    if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return answer;
  };

const resolve = dns({
  'public.example': ['93.184.216.34'],
  'internal.example': ['10.0.0.5'],
  'mixed.example': ['93.184.216.34', '192.168.1.20'],
  'v6private.example': ['fd12::1'],
  'metadata.example': ['169.254.169.254'],
  'mapped.example': ['::ffff:127.0.0.1'],
  'api.corp.example': ['10.1.1.1'],
});

async function refusal(url: string, allowed: string[] = []): Promise<{ code?: unknown; field?: unknown; message: string } | null> {
  try {
    await assertSafeUrl('input.webhookUrl', url, allowed, { resolve });
    return null;
  } catch (error) {
    const e = error as { message: string; extensions?: Record<string, unknown> };
    return { code: e.extensions?.code, field: e.extensions?.field, message: e.message };
  }
}

// Each refused URL with the WEBHOOK_ALLOWED_HOSTS entry that opts it in.
const REFUSED: [url: string, allowEntry: string, says: RegExp][] = [
  ['http://127.0.0.1/hook', '127.0.0.1', /loopback/],
  ['http://127.9.9.9:8080/hook', '127.0.0.0/8', /loopback/],
  ['http://localhost:5000/api/webhook-test', 'localhost', /loopback/],
  ['http://LocalHost./x', 'localhost', /loopback/],
  ['http://app.localhost/x', '*.localhost', /loopback/],
  ['http://[::1]/x', '::1', /loopback/],
  ['http://10.1.2.3/x', '10.0.0.0/8', /private/],
  ['http://172.16.5.4/x', '172.16.0.0/12', /private/],
  ['http://192.168.1.1/x', '192.168.1.1', /private/],
  ['http://[fd12::1]/x', 'fd00::/8', /private/],
  ['http://[fc00::1]/x', 'fc00::/7', /private/],
  ['http://169.254.10.10/x', '169.254.0.0/16', /link-local/],
  ['http://[fe80::1]/x', 'fe80::/10', /link-local/],
  ['http://169.254.169.254/latest/meta-data/', '169.254.169.254', /metadata/],
  ['http://[fd00:ec2::254]/latest/meta-data/', 'fd00:ec2::254', /metadata/],
  ['http://100.64.0.1/x', '100.64.0.0/10', /carrier-grade NAT/],
  ['http://100.127.255.254/x', '100.64.0.0/10', /carrier-grade NAT/],
  ['http://224.0.0.1/x', '224.0.0.0/4', /multicast/],
  ['http://[ff02::1]/x', 'ff00::/8', /multicast/],
  ['http://0.0.0.0/x', '0.0.0.0', /unspecified/],
  ['http://[::]/x', '::', /unspecified/],
  ['http://255.255.255.255/x', '255.255.255.255', /broadcast/],
  ['http://[::ffff:127.0.0.1]/x', '127.0.0.1', /loopback address in IPv4-mapped form/],
  ['http://[::ffff:10.0.0.1]/x', '10.0.0.0/8', /private address in IPv4-mapped form/],
  ['http://[::ffff:169.254.169.254]/x', '169.254.169.254', /metadata address in IPv4-mapped form/],
  ['http://[64:ff9b::7f00:1]/x', '64:ff9b::/96', /loopback address in NAT64 form/],
  ['http://[64:ff9b::a9fe:a9fe]/x', '64:ff9b::/96', /metadata address in NAT64 form/],
  ['http://[64:ff9b:1::a00:1]/x', '64:ff9b:1::/48', /private address in NAT64 form/],
  ['http://[::ffff:0:a00:1]/x', '::ffff:0:0:0/96', /private address in NAT64 form/],
  ['http://[2002:a00:1::]/x', '2002::/16', /private address in 6to4 form/],
  ['http://[::7f00:1]/x', '::/96', /loopback address in IPv4-compatible form/],
  ['http://2130706433/x', '127.0.0.1', /loopback/], // decimal
  ['http://0x7f000001/x', '127.0.0.1', /loopback/], // hex
  ['http://0177.0.0.1/x', '127.0.0.1', /loopback/], // octal
  ['http://0x7f.1/x', '127.0.0.1', /loopback/], // mixed short form
  ['http://0xa9.0xfe.0xa9.0xfe/x', '169.254.169.254', /metadata/],
  ['http://internal.example/x', 'internal.example', /internal\.example resolves to 10\.0\.0\.5, a private address/],
  ['http://internal.example/x', '10.0.0.5', /private/],
  ['http://mixed.example/x', '192.168.0.0/16', /resolves to 192\.168\.1\.20/],
  ['http://v6private.example/x', 'fd12::1', /private/],
  ['http://metadata.example/x', 'metadata.example', /metadata/],
  ['http://mapped.example/x', '127.0.0.1', /loopback address in IPv4-mapped form/],
  ['http://api.corp.example/x', '*.corp.example', /private/],
  // The same classes at other addresses, and IPv4 written in decimal, hex and octal.
  ['http://localhost:8080/hook', 'localhost', /loopback/],
  ['http://[::1]/hook', '::1', /loopback/],
  ['http://10.0.0.7/hook', '10.0.0.0/8', /private/],
  ['http://172.20.1.1/hook', '172.16.0.0/12', /private/],
  ['http://192.168.0.10/hook', '192.168.0.0/16', /private/],
  ['http://[fd00::10]/hook', 'fd00::/8', /private/],
  ['http://169.254.3.4/hook', '169.254.0.0/16', /link-local/],
  ['http://[fe80::2]/hook', 'fe80::/10', /link-local/],
  ['http://100.100.100.100/hook', '100.64.0.0/10', /carrier-grade NAT/],
  ['http://239.1.1.1/hook', '224.0.0.0/4', /multicast/],
  ['http://0.0.0.0/hook', '0.0.0.0', /unspecified/],
  ['http://[::ffff:169.254.169.254]/hook', '169.254.169.254', /metadata address in IPv4-mapped form/],
  ['http://[::ffff:192.168.0.10]/hook', '192.168.0.0/16', /private address in IPv4-mapped form/],
  ['http://[64:ff9b::a00:7]/hook', '64:ff9b::/96', /private address in NAT64 form/],
  ['http://3232235530/hook', '192.168.0.10', /private/], // decimal 192.168.0.10
  ['http://0xc0a8000a/hook', '192.168.0.10', /private/], // hex
  ['http://0300.0250.0.012/hook', '192.168.0.10', /private/], // octal
];

describe('assertSafeUrl', () => {
  it.each(REFUSED)('refuses %s and allows it once %s is listed', async (url, entry, says) => {
    const refused = await refusal(url);
    expect(refused).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.webhookUrl' });
    expect(refused!.message).toMatch(/^input\.webhookUrl: expected a public http\(s\) address: /);
    expect(refused!.message).toMatch(says);
    expect(await refusal(url, [entry])).toBeNull();
  });

  it.each(['ftp://public.example/file', 'file:///etc/passwd', 'gopher://public.example/', 'javascript:alert(1)', 'ws://public.example/'])(
    'refuses the scheme of %s',
    async (url) => {
      expect((await refusal(url))?.message).toMatch(/only http and https are allowed/);
      expect(await refusal(url, ['public.example'])).not.toBeNull();
    },
  );

  it.each(['not a url', '/relative/path', '', 'http://'])('refuses %j as not a URL', async (url) => {
    expect(await refusal(url)).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/expected an absolute http/) });
  });

  it('refuses an over-long URL', async () => {
    expect((await refusal(`https://public.example/${'a'.repeat(2100)}`))?.message).toMatch(/at most 2048 characters/);
  });

  it.each(['https://public.example/hook', 'http://93.184.216.34:8080/x', 'https://[2606:4700::1111]/x', 'http://[::ffff:93.184.216.34]/x'])(
    'accepts the public %s',
    async (url) => {
      expect(await refusal(url)).toBeNull();
    },
  );

  it('accepts a name that does not resolve now: the connect-time check guards it later', async () => {
    expect(await refusal('https://not-yet-registered.example/hook')).toBeNull();
  });

  it('a listed CIDR does not open other private ranges', async () => {
    expect((await refusal('http://192.168.1.1/x', ['10.0.0.0/8']))?.message).toMatch(/private/);
    expect(await refusal('http://mixed.example/x', ['mixed.example'])).toBeNull();
  });

  it('refuses a malformed WEBHOOK_ALLOWED_HOSTS entry by name', async () => {
    await expect(assertSafeUrl('u', 'https://public.example/', ['10.0.0.0/99'])).rejects.toThrow(
      /WEBHOOK_ALLOWED_HOSTS: expected a host name, an IP or a CIDR/,
    );
  });
});
