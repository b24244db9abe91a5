import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const API_PREFIXES = ['/graphql', '/api/', '/healthz', '/readyz', '/metrics'];

export function defaultWebDist(): string {
  // api/src/http → repo root is three levels up; from the compiled api/dist/src/http, four.
  const up = import.meta.url.includes('/dist/src/') ? '../../../../' : '../../../';
  return fileURLToPath(new URL(`${up}web/build`, import.meta.url));
}

/** Serves the dashboard's static build with an SPA fallback; without a build, a page naming the endpoints. */
export async function registerDashboard(app: FastifyInstance, webDist: string): Promise<void> {
  if (!existsSync(`${webDist}/index.html`)) {
    app.get('/', async (_req, reply) => reply.type('text/html').send(ENDPOINTS_PAGE));
    return;
  }
  await app.register(fastifyStatic, { root: webDist, wildcard: false, preCompressed: true });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0];
    if (req.method !== 'GET' || API_PREFIXES.some((p) => path.startsWith(p)) || /\.[a-z0-9]+$/i.test(path)) {
      return reply.code(404).send({ error: 'Not Found', message: `${req.method} ${path} does not exist` });
    }
    return reply.type('text/html').sendFile('index.html');
  });
}

const ENDPOINTS_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Job scheduler</title></head>
<body style="font-family:system-ui;max-width:40rem;margin:3rem auto;color:#2e1065">
<h1>Job scheduler API</h1><p>The dashboard is not built. Run <code>npm run build</code> or <code>npm start</code>.</p>
<ul><li><a href="/graphql">/graphql</a> GraphQL over HTTP and WebSocket</li><li><a href="/healthz">/healthz</a></li>
<li><a href="/readyz">/readyz</a></li></ul></body></html>`;
