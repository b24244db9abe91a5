import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrap, type App } from '../../../api/src/app.ts';
import { loadConfig } from '../../../api/src/config.ts';
import { WEB_BUILD } from './build.ts';

export interface TestApp extends App {
  /** GraphQL over HTTP as "another client" would send it. */
  gql<T = any>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<{ data: T; errors?: { message: string; extensions?: Record<string, unknown> }[] }>;
}

/**
 * The real product in this process: API, worker, webhooks to its own test receiver, and the built
 * dashboard at `/`, on a brand-new SQLite database.
 */
export async function startApp(env: Record<string, string> = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'jobs-web-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: '0',
    HOST: '127.0.0.1',
    WORKER_POLL_MS: '50',
    WEBHOOK_RETRY_BASE_MS: '200',
    DATABASE_URL: join(dir, 'jobs.sqlite'),
    WEB_DIST: WEB_BUILD,
    ...env,
  });
  const app = await bootstrap(config);
  const gql: TestApp['gql'] = async (query, variables, headers = {}) => {
    const res = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as any;
  };
  return { ...app, gql };
}

/** A job that stays PENDING (due far in the future) unless something runs it. */
export async function createParkedJob(
  app: TestApp,
  input: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<{ id: string; taskName: string }> {
  const res = await app.gql<{ createJob: { id: string; taskName: string } }>(
    'mutation($input: CreateJobInput!) { createJob(input: $input) { id taskName } }',
    { input: { taskName: 'parked', runAt: '2999-01-01T00:00:00.000Z', ...input } },
    headers,
  );
  if (res.errors) throw new Error(`createJob failed: ${JSON.stringify(res.errors)}`);
  return res.data.createJob;
}
