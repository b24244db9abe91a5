import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { Em } from '../src/db/orm.js';
import { forbiddenReason } from '../src/net/address-policy.js';
import { serverForSuite, sqlite } from './support/server.js';
import { eventually, finishJobWithDelivery, logsOf, receiverForSuite } from './support/webhooks.js';

// createJob applies the address policy and WEBHOOK_ALLOWED_HOSTS: one URL per kind of entry (name, IP,
// IPv4 and IPv6 range) and per written form (metadata, IPv4-mapped, decimal), with the entry that lets it
// through. Every refused class is a case of the policy's unit tests, src/net/ssrf.test.ts.
const REFUSED: [url: string, entry: string][] = [
  ['http://localhost:8080/hook', 'localhost'],
  ['http://127.0.0.1/hook', '127.0.0.1'],
  ['http://[::1]/hook', '::1'],
  ['http://10.0.0.7/hook', '10.0.0.0/8'],
  ['http://[fd00::10]/hook', 'fd00::/8'],
  ['http://169.254.169.254/latest/meta-data/', '169.254.169.254'],
  ['http://[::ffff:169.254.169.254]/hook', '169.254.169.254'],
  ['http://3232235530/hook', '192.168.0.10'], // decimal 192.168.0.10
];

const CREATE = 'mutation($in: CreateJobInput!) { createJob(input: $in) { id webhookUrl } }';
const later = '2099-01-01T00:00:00.000Z';

describe('SSRF guard on per-job webhookUrl', () => {
  const open = serverForSuite(sqlite, { ROLE: 'api' });
  const allowing = serverForSuite(sqlite, { ROLE: 'api', WEBHOOK_ALLOWED_HOSTS: [...new Set(REFUSED.map(([, e]) => e))].join(',') });

  it.each(REFUSED)('createJob refuses %s with BAD_USER_INPUT on input.webhookUrl; allowed once %s is listed', async (url, entry) => {
    const refused = await open().gql(CREATE, { in: { taskName: 't', runAt: later, webhookUrl: url } });
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.webhookUrl' });
    expect(refused.errors?.[0].message).toMatch(/^input\.webhookUrl: expected a public http\(s\) address: /);
    const allowed = await allowing().gql(CREATE, { in: { taskName: 't', runAt: later, webhookUrl: url } });
    expect(allowed.errors, `with ${entry} listed`).toBeUndefined();
    expect(allowed.data.createJob.webhookUrl).toBe(url);
  });

  it('createJobs names the index of the refused input; nothing is created', async () => {
    const before = (await open().gql('{ jobStats { total } }')).data.jobStats.total;
    const res = await open().gql('mutation($ins: [CreateJobInput!]!) { createJobs(inputs: $ins) { id } }', {
      ins: [
        { taskName: 'fine', runAt: later, webhookUrl: 'https://93.184.216.34/hook' },
        { taskName: 'bad', runAt: later, webhookUrl: 'http://10.1.1.1/' },
      ],
    });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'inputs[1].webhookUrl' });
    expect((await open().gql('{ jobStats { total } }')).data.jobStats.total).toBe(before);
  });

  it.each(['ftp://93.184.216.34/x', 'file:///etc/passwd', 'not a url', 'javascript:alert(1)'])(
    'refuses %j: only absolute http(s) URLs',
    async (url) => {
      const res = await open().gql(CREATE, { in: { taskName: 't', runAt: later, webhookUrl: url } });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.webhookUrl' });
    },
  );

  it('accepts a public address', async () => {
    const res = await open().gql(CREATE, { in: { taskName: 't', runAt: later, webhookUrl: 'https://93.184.216.34/hook' } });
    expect(res.errors).toBeUndefined();
  });

  it("refuses a name that resolves to an internal address (this machine's host name)", async (ctx) => {
    const name = hostname();
    const addresses = await lookup(name, { all: true }).catch(() => []);
    if (addresses.length === 0 || addresses.every((a) => forbiddenReason(a.address) === null)) {
      ctx.skip(`${name} does not resolve to an internal address here; unit tests cover this with an injected resolver`);
    }
    const res = await open().gql(CREATE, { in: { taskName: 't', runAt: later, webhookUrl: `http://${name}:5000/hook` } });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.webhookUrl' });
    expect(res.errors?.[0].message).toMatch(new RegExp(`${name} resolves to `));
  });
});

describe('SSRF guard at connect time', () => {
  const receiver = receiverForSuite({ '/hook': () => ({ status: 200 }) });
  const server = serverForSuite(sqlite, { WEBHOOK_RETRY_BASE_MS: '100', WEBHOOK_MAX_RETRIES: '0' });

  it('a stored per-job URL that points inward is refused when sending, and logged', async () => {
    // Written straight into the outbox, as if the input check had been passed (e.g. DNS changed since).
    const job = await finishJobWithDelivery(server().orm.em as Em, { url: `${receiver().url}/hook`, trusted: false });
    const [log] = await eventually(
      async () => {
        const l = await logsOf(server(), job.id);
        return l.length ? l : undefined;
      },
      10_000,
      'the refused attempt',
    );
    expect(log).toMatchObject({
      attempt: 1,
      responseStatus: null,
      error: expect.stringMatching(/^refused to connect to 127\.0\.0\.1:\d+: 127\.0\.0\.1 is a loopback address/),
    });
    expect(receiver().hits).toHaveLength(0);
  });

  it('a name resolving inward is refused after DNS resolution', async (ctx) => {
    const name = hostname();
    const addresses = await lookup(name, { all: true }).catch(() => []);
    if (addresses.length === 0 || addresses.some((a) => a.address !== '127.0.0.1' && forbiddenReason(a.address) === null)) {
      ctx.skip(`${name} does not resolve to loopback only here; unit tests cover this with an injected resolver`);
    }
    const port = new URL(receiver().url).port;
    const job = await finishJobWithDelivery(server().orm.em as Em, { url: `http://${name}:${port}/hook`, trusted: false });
    const [log] = await eventually(
      async () => {
        const l = await logsOf(server(), job.id);
        return l.length ? l : undefined;
      },
      10_000,
      'the refused attempt',
    );
    expect(log.error).toMatch(new RegExp(`^refused to connect to ${name} \\(127\\.0\\.0\\.1\\): a loopback address`));
    expect(receiver().hits).toHaveLength(0);
  });

  it("the operator's trusted target is not guarded", async () => {
    const job = await finishJobWithDelivery(server().orm.em as Em, { url: `${receiver().url}/hook`, trusted: true });
    const [log] = await eventually(
      async () => {
        const l = await logsOf(server(), job.id);
        return l.length ? l : undefined;
      },
      10_000,
      'the trusted attempt',
    );
    expect(log).toMatchObject({ responseStatus: 200, error: null });
    expect(receiver().hits).toHaveLength(1);
  });
});
