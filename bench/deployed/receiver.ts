/**
 * The webhook receiver of `npm run bench:deployed`, in a process of its own (plain node, types stripped).
 * Every POST is checked the way a receiver should, without the product's code: `X-Signature` must be
 * the hex HMAC-SHA256 of the raw body with WEBHOOK_SECRET, and the Standard Webhooks headers, which the
 * product also sends, must carry a fresh timestamp and a `v1,` HMAC-SHA256 of `{id}.{timestamp}.{body}`.
 * A verified delivery is answered 200 and counted once per message id (a second arrival is a
 * duplicate); a failed check is answered 401 and counted with its reason.
 *
 * The parent asks over IPC: `stats` (counts, and per tag how many arrived, first and last arrival),
 * `times` (per tag, each job's `payload.i` and its arrival time) and `reset`. Arrival times are wall
 * clock in ms (`performance.timeOrigin + performance.now()`), the clock the client stamps arrivals with.
 */
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

const secret = process.env.WEBHOOK_SECRET;
if (!secret) throw new Error('receiver: WEBHOOK_SECRET is not set');
// Key objects made once: an HMAC keyed with a Buffer makes one per call, several times the HMAC's own cost.
const seedKey = createSecretKey(Buffer.from(secret, 'utf8'));
const standardKey = createSecretKey(secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8'));
const TOLERANCE_S = 5 * 60;

const wall = () => performance.timeOrigin + performance.now();
const header = (headers: IncomingHttpHeaders, name: string) => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};
const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** null when the delivery is genuine, else why not. */
function problemOf(raw: Buffer, headers: IncomingHttpHeaders): string | null {
  const x = header(headers, 'x-signature');
  if (!x) return 'missing X-Signature';
  if (!same(x.trim().toLowerCase(), createHmac('sha256', seedKey).update(raw).digest('hex'))) return 'X-Signature does not match';
  const id = header(headers, 'webhook-id');
  const ts = header(headers, 'webhook-timestamp');
  const sig = header(headers, 'webhook-signature');
  if (!id || !ts || !sig) return 'missing a Standard Webhooks header';
  if (!/^\d{1,12}$/.test(ts) || Math.abs(Math.floor(Date.now() / 1000) - Number(ts)) > TOLERANCE_S) return 'webhook-timestamp not fresh';
  const expected = `v1,${createHmac('sha256', standardKey).update(`${id}.${ts}.`).update(raw).digest('base64')}`;
  if (!sig.split(' ').some((s) => same(s, expected))) return 'webhook-signature does not match';
  return null;
}

interface Tagged {
  count: number;
  duplicates: number;
  first: number;
  last: number;
  i: number[];
  at: number[];
}

let verified = 0;
let duplicates = 0;
let unparsable = 0;
let connections = 0;
const rejected = new Map<string, number>();
let seen = new Set<string>();
let tags = new Map<string, Tagged>();

function record(raw: Buffer, messageId: string, at: number): void {
  let payload: { tag?: unknown; i?: unknown } | undefined;
  try {
    payload = (JSON.parse(raw.toString('utf8')) as { payload?: { tag?: unknown; i?: unknown } }).payload;
  } catch {
    unparsable++;
  }
  const tag = typeof payload?.tag === 'string' ? payload.tag : '(untagged)';
  let t = tags.get(tag);
  if (!t) tags.set(tag, (t = { count: 0, duplicates: 0, first: at, last: at, i: [], at: [] }));
  if (seen.has(messageId)) {
    duplicates++;
    t.duplicates++;
    return;
  }
  seen.add(messageId);
  verified++;
  t.count++;
  t.last = at;
  t.i.push(Number(payload?.i));
  t.at.push(at);
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const at = wall();
    const raw = Buffer.concat(chunks);
    const problem = req.method === 'POST' ? problemOf(raw, req.headers) : 'not a POST';
    if (problem) {
      rejected.set(problem, (rejected.get(problem) ?? 0) + 1);
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"ok":false}');
      return;
    }
    record(raw, header(req.headers, 'webhook-id')!, at);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
});
server.on('connection', () => connections++);
server.keepAliveTimeout = 60_000;

type Request = { id: number; type: 'stats' | 'times' | 'reset'; tag?: string };
process.on('message', (m: Request) => {
  let reply: object = {};
  if (m.type === 'reset') {
    seen = new Set();
    tags = new Map();
  } else if (m.type === 'stats') {
    const t = m.tag ? tags.get(m.tag) : undefined;
    reply = {
      verified,
      duplicates,
      unparsable,
      connections,
      rejected: Object.fromEntries(rejected),
      tag: t
        ? { count: t.count, duplicates: t.duplicates, first: t.first, last: t.last }
        : { count: 0, duplicates: 0, first: null, last: null },
    };
  } else if (m.type === 'times') {
    const t = m.tag ? tags.get(m.tag) : undefined;
    reply = { i: t?.i ?? [], at: t?.at ?? [] };
  }
  process.send!({ id: m.id, ...reply });
});
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => process.send!({ id: 0, port: (server.address() as AddressInfo).port }));
