import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createJob, isFinished, waitForJob } from './support/engine.js';
import { forSuite, serverForSuite, testDatabases } from './support/server.js';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** http.request end to end: a real outbound request to a local server the allow-list admits. */
describe.each(testDatabases().filter((db) => db.name !== 'mysql'))('http.request handler on $name', (db) => {
  const received: Received[] = [];
  const target = forSuite(
    async () => {
      const http = createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
          if (req.url === '/broken') {
            res.writeHead(503, { 'content-type': 'text/plain' }).end('down for maintenance');
            return;
          }
          res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, echo: body }));
        });
      });
      await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
      return http;
    },
    (http) => new Promise((r) => http.close(r)),
  );
  const base = () => `http://127.0.0.1:${(target().address() as AddressInfo).port}`;
  const server = serverForSuite(db, { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WORKER_CONCURRENCY: '2' });

  it('sends method, headers and a JSON body, and keeps the answer as the result', async () => {
    const job = await createJob(server(), {
      taskName: 'http.request',
      payload: { url: `${base()}/hooks/order?id=7`, method: 'post', headers: { 'x-trace': 'abc' }, body: { order: 7 } },
    });
    const done = await waitForJob(server(), job.id, isFinished);
    expect(done).toMatchObject({
      status: 'COMPLETED',
      attempts: 1,
      result: { status: 201, contentType: 'application/json', body: { ok: true, echo: '{"order":7}' } },
    });
    const req = received.find((r) => r.url === '/hooks/order?id=7')!;
    expect(req).toMatchObject({ method: 'POST', body: '{"order":7}' });
    expect(req.headers).toMatchObject({ 'x-trace': 'abc', 'content-type': 'application/json' });
  });

  it('a non-2xx answer fails the run with the status in lastError', async () => {
    const job = await createJob(server(), { taskName: 'http.request', payload: { url: `${base()}/broken` }, maxAttempts: 1 });
    const done = await waitForJob(server(), job.id, isFinished);
    expect(done.status).toBe('FAILED');
    expect(done.lastError).toMatch(/GET .*\/broken answered 503.*down for maintenance/);
  });

  it('refuses what the allow-list does not admit, at creation, naming the field', async () => {
    for (const url of ['http://localhost:1/x', 'http://10.0.0.8/', 'http://[::1]/', 'http://169.254.169.254/latest']) {
      const res = await server().gql('mutation($in: CreateJobInput!) { createJob(input: $in) { id } }', {
        in: { taskName: 'http.request', payload: { url } },
      });
      expect(res.errors?.[0].extensions, url).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.payload.url' });
    }
    const method = await server().gql('mutation($in: CreateJobInput!) { createJob(input: $in) { id } }', {
      in: { taskName: 'http.request', payload: { url: `${base()}/x`, method: 'TELEPORT' } },
    });
    expect(method.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.payload.method' });
  });
});
