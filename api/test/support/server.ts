import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { bootstrap, type App } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { migrate, openOrm } from '../../src/db/orm.js';
import { spawnApp, type AppProcess, type SpawnOptions } from './app-process.js';

/**
 * Test databases. SQLite always; MariaDB (through the mariadb driver, and the mysql driver) when
 * TEST_MYSQL_URL points at a MySQL-family server (`.ci/run` sets it). Each suite gets a fresh database.
 */
export interface TestDatabase {
  name: 'sqlite' | 'mariadb' | 'mysql';
  /** A DATABASE_URL for a brand-new, migrated database. */
  create(): Promise<string>;
}

const mysqlBase = process.env.TEST_MYSQL_URL?.replace(/\/+$/, '');

export const MYSQL_SKIP_REASON = mysqlBase
  ? undefined
  : 'MySQL-family tests skipped: set TEST_MYSQL_URL=mysql://root@127.0.0.1:3306 to run them (.ci/run does)';

async function createMysqlDatabase(scheme: 'mariadb' | 'mysql', migrated = true): Promise<string> {
  const base = new URL(mysqlBase!);
  const name = `jobs_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const conn = await createConnection({
    host: base.hostname,
    port: Number(base.port || 3306),
    user: decodeURIComponent(base.username || 'root'),
    password: decodeURIComponent(base.password),
  });
  await conn.query(`create database \`${name}\``);
  await conn.end();
  const url = `${scheme}://${base.username || 'root'}${base.password ? `:${base.password}` : ''}@${base.hostname}:${base.port || 3306}/${name}`;
  if (!migrated) return url;
  const orm = await openOrm(loadConfig({ DATABASE_URL: url }).database);
  await migrate(orm);
  await orm.close(true);
  return url;
}

/** A DATABASE_URL for a brand-new MariaDB database nobody migrated (MySQL-family suites only). */
export const unmigratedMariadb = (): Promise<string> => createMysqlDatabase('mariadb', false);

export const sqlite: TestDatabase = {
  name: 'sqlite',
  async create() {
    return join(mkdtempSync(join(tmpdir(), 'jobs-test-')), 'jobs.sqlite');
  },
};

export const mariadb: TestDatabase = { name: 'mariadb', create: () => createMysqlDatabase('mariadb') };
export const mysql: TestDatabase = { name: 'mysql', create: () => createMysqlDatabase('mysql') };

/** The databases an integration suite runs on; MySQL-family ones only where a server is configured. */
export function testDatabases(): TestDatabase[] {
  return mysqlBase ? [sqlite, mariadb, mysql] : [sqlite];
}

export interface TestServer extends App {
  config: Config;
  /** The DATABASE_URL this server runs on, for a second process or replica on the same database. */
  databaseUrl: string;
  gql<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GqlResult<T>>;
}

export interface GqlResult<T> {
  status: number;
  data: T;
  errors?: { message: string; extensions?: Record<string, any> }[];
}

/** Starts the real server (HTTP on a free port) on a fresh database of the given kind. */
export async function startServer(db: TestDatabase = sqlite, env: Record<string, string> = {}): Promise<TestServer> {
  const databaseUrl = env.DATABASE_URL ?? (await db.create());
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: '0',
    HOST: '127.0.0.1',
    WORKER_POLL_MS: '50',
    // NODE_ENV=production refuses the public default WEBHOOK_SECRET: production suites get one of their own.
    ...(env.NODE_ENV === 'production' ? { WEBHOOK_SECRET: 'test-production-webhook-secret' } : {}),
    ...env,
    DATABASE_URL: databaseUrl,
  });
  const app = await bootstrap(config);
  const gql = async (query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const res = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data: any; errors?: any[] };
    return { status: res.status, data: body.data, errors: body.errors };
  };
  return { ...app, config, databaseUrl, gql };
}

/**
 * Something the enclosing `describe` starts before its first test and stops after its last: a server,
 * a receiver, an engine. Hooks run in the order they are declared and stop in the reverse order, so
 * what a later one needs (another server's database, a receiver's URL) is declared before it. Returns
 * a getter, since the value exists only once `beforeAll` has run.
 */
export function forSuite<T>(start: () => Promise<T>, stop: (value: T) => unknown): () => T {
  let value: T | undefined;
  let started = false;
  beforeAll(async () => {
    value = await start();
    started = true;
  });
  afterAll(async () => {
    if (started) await stop(value as T);
  });
  return () => {
    if (!started) throw new Error("not started yet: use the suite's resources inside a test or hook");
    return value as T;
  };
}

/** A server's environment, or a function computing it once earlier hooks have run. */
export type SuiteEnv = Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);

/** A server for the enclosing `describe`, on a fresh database of the given kind (see `forSuite`). */
export function serverForSuite(db: TestDatabase = sqlite, env: SuiteEnv = {}): () => TestServer {
  return forSuite(
    async () => startServer(db, typeof env === 'function' ? await env() : env),
    (server) => server.stop(),
  );
}

/** SIGKILLs an app process unless it has already exited. */
export function killIfRunning(p: AppProcess): void {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
}

export interface StartedByTests {
  server(db?: TestDatabase, env?: Record<string, string>): Promise<TestServer>;
  /** `src/main.ts` as a child process (see `spawnApp`); SIGKILLed at cleanup if still running. */
  process(env: Record<string, string>, options?: SpawnOptions): AppProcess;
  /** Anything else a test starts, with how to stop it. */
  add<T>(value: T, stop: (value: T) => unknown): T;
}

/**
 * Servers and processes the tests of the enclosing `describe` start themselves (several per test, or
 * on a database the test creates): whatever they started is stopped after each test (`'each'`) or after
 * the last one (`'all'`), the last started first.
 */
export function startedByTests(stopAfter: 'each' | 'all' = 'all'): StartedByTests {
  const stops: (() => unknown)[] = [];
  (stopAfter === 'each' ? afterEach : afterAll)(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });
  const add = <T>(value: T, stop: (value: T) => unknown): T => {
    stops.push(() => stop(value));
    return value;
  };
  return {
    server: async (db = sqlite, env = {}) => add(await startServer(db, env), (s) => s.stop()),
    process: (env, options) => add(spawnApp(env, options), killIfRunning),
    add,
  };
}
