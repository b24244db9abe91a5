import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

/** One request as the receiver saw it, with the status it answered. */
export interface ReceivedHit {
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

/**
 * A webhook receiver outside the app for the tests of one file: it keeps what arrives (so signatures
 * can be checked here) and answers `status()`, 200 unless a test says otherwise. `url` is set once
 * it listens, before the first test.
 */
export function receiverForFile(path: string, status: () => number = () => 200): { hits: ReceivedHit[]; url: string } {
  const receiver = { hits: [] as ReceivedHit[], url: '' };
  let server: Server;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const answer = status();
        receiver.hits.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status: answer });
        res.writeHead(answer).end(answer < 300 ? 'ok' : 'down');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  return receiver;
}
