import { createServer, type IncomingMessage, type Server } from 'node:http';

/**
 * The crash test's independent witness, one local HTTP server:
 * - `POST /run`: the target of `http.request` jobs. Each request is one handler start of the job whose
 *   `tag` is in the JSON body; it answers 200 after the body's `delayMs`.
 * - `POST /hook`: the webhook receiver. Records each delivery's `jobId` (from the body) and `webhook-id`
 *   header, answers 200 at once.
 * It keeps everything in memory of the test process, so a worker's SIGKILL cannot lose a record.
 */
export interface Start {
  at: number;
  /** When the answer was sent; undefined while the request is still open (or the client went away). */
  answeredAt?: number;
}

export interface Delivery {
  at: number;
  webhookId: string | undefined;
  type: string | undefined;
  status: string | undefined;
  attempts: number | undefined;
}

export interface CrashWitness {
  url: string;
  /** Handler starts per job tag. */
  starts: Map<string, Start[]>;
  /** Deliveries per job id. */
  deliveries: Map<number, Delivery[]>;
  /** Requests that could not be read (bad JSON, no tag): should stay empty. */
  malformed: string[];
  startsOf(tag: string): number;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

export async function startCrashWitness(): Promise<CrashWitness> {
  const starts = new Map<string, Start[]>();
  const deliveries = new Map<number, Delivery[]>();
  const malformed: string[] = [];

  const server: Server = createServer(async (req, res) => {
    const arrived = Date.now();
    let text: string;
    try {
      text = await readBody(req);
    } catch {
      return; // the client died mid-request
    }
    if (req.method === 'POST' && req.url === '/run') {
      let tag: unknown;
      let delayMs = 0;
      try {
        const body = JSON.parse(text);
        tag = body.tag;
        delayMs = Number(body.delayMs) || 0;
      } catch {
        // below
      }
      if (typeof tag !== 'string') {
        malformed.push(`/run ${text.slice(0, 200)}`);
        res.writeHead(400).end();
        return;
      }
      const start: Start = { at: arrived };
      const list = starts.get(tag) ?? [];
      list.push(start);
      starts.set(tag, list);
      setTimeout(() => {
        if (res.destroyed) return;
        start.answeredAt = Date.now();
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      }, delayMs);
      return;
    }
    if (req.method === 'POST' && req.url === '/hook') {
      try {
        const body = JSON.parse(text);
        const jobId = Number(body.jobId);
        if (!Number.isInteger(jobId)) throw new Error('no jobId');
        const header = req.headers['webhook-id'];
        const list = deliveries.get(jobId) ?? [];
        list.push({
          at: arrived,
          webhookId: Array.isArray(header) ? header.join(',') : header,
          type: body.type,
          status: body.status,
          attempts: body.attempts,
        });
        deliveries.set(jobId, list);
      } catch {
        malformed.push(`/hook ${text.slice(0, 200)}`);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      return;
    }
    res.writeHead(404).end();
  });
  server.keepAliveTimeout = 30_000;
  server.maxRequestsPerSocket = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    starts,
    deliveries,
    malformed,
    startsOf: (tag) => starts.get(tag)?.length ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
