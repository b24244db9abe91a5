import { z } from 'zod';
import { AllowList } from './net/address-policy.js';
import { QUEUE_NAME } from './queues/queue-name.js';
import { parseDuration } from './retention/duration.js';

/** Every environment variable the product reads, parsed once at start into a checked `Config`. */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;
/** Signs webhooks outside production only: NODE_ENV=production refuses to start with it. */
export const DEV_WEBHOOK_SECRET = 'dev-webhook-secret';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce
    .number({ message: 'expected a whole number' })
    .int({ message: 'expected a whole number' })
    .min(min, { message: `expected a whole number ≥ ${min}` })
    .max(max, { message: `expected a whole number ≤ ${max}` });

const list = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);

/** `true`/`false`, or a share 0..1 of simulated jobs that fail. */
const failureShare = z.string().transform((raw, ctx) => {
  if (raw === 'true') return 1;
  if (raw === 'false' || raw === '') return 0;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || n > 1) {
    ctx.addIssue({ code: 'custom', message: `expected true, false or a number 0..1, got "${raw}"` });
    return z.NEVER;
  }
  return n;
});

/** A retention period (`7d`, `12h`, `15m`, `90s`, milliseconds; 0 keeps forever) in milliseconds. */
const duration = z.string().transform((raw, ctx) => {
  const ms = parseDuration(raw);
  if (typeof ms === 'string') {
    ctx.addIssue({ code: 'custom', message: ms });
    return z.NEVER;
  }
  return ms;
});

const apiToken = z.string().transform((raw, ctx) => {
  const [name, role, token] = raw.split(':');
  if (!name || !token || (role !== 'admin' && role !== 'viewer' && role !== 'worker')) {
    ctx.addIssue({ code: 'custom', message: `expected "name:admin|viewer|worker:token", got "${raw.replace(/:[^:]*$/, ':…')}"` });
    return z.NEVER;
  }
  return { name, role: role as 'admin' | 'viewer' | 'worker', token };
});

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(0, 65535).default(5000),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ROLE: z.enum(['all', 'api', 'worker'], { message: 'expected all, api or worker' }).default('all'),

  DATABASE_URL: z.string().optional(),
  DB_HOST: z.string().optional(),
  DB_PORT: int(1, 65535).default(3306),
  DB_NAME: z.string().default('jobsdb'),
  DB_USER: z.string().default('root'),
  DB_PASSWORD: z.string().default(''),
  DB_POOL_MAX: int(1, 500).default(20),
  /** Apply pending migrations at start; default on for SQLite, off for MySQL-family (run `npm run migrate`, or set it on one API process). */
  MIGRATE_ON_START: bool.optional(),

  REDIS_URL: z.string().url({ message: 'expected a redis:// URL' }).optional(),
  REDIS_CHANNEL_PREFIX: z.string().default('jobs-scheduler:'),

  WORKER_CONCURRENCY: int(1, 1000).default(4),
  WORKER_POLL_MS: int(10, MINUTE).default(500),
  /** The queues this process's worker claims from (comma list); empty: every queue. */
  WORKER_QUEUES: list
    .pipe(z.array(z.string().regex(QUEUE_NAME, { message: 'expected queue names of 1–64 characters of [a-z0-9._-]' })))
    .default([]),
  LEASE_MS: int(1000).default(30 * SECOND),
  SHUTDOWN_GRACE_MS: int(0).default(30 * SECOND),
  SIMULATE_JOB_FAILURE: failureShare.default(0),
  /** Task modules: absolute, or relative to the repository's root; default the repository's `tasks/` folder when present. */
  TASKS_DIR: z.string().optional(),
  /** In production an unknown task name is refused at creation; true simulates it as in development. */
  SIMULATE_UNKNOWN_TASKS: bool.default(false),

  /** How long finished jobs are kept, by final status, counted from completedAt (queue settings may override). */
  RETENTION_COMPLETED: duration.default(7 * DAY),
  RETENTION_FAILED: duration.default(30 * DAY),
  RETENTION_CANCELLED: duration.default(7 * DAY),
  /** How often the pruner looks for jobs past retention when the last pass found none left. */
  PRUNE_INTERVAL_MS: int(100, 24 * 60 * MINUTE).default(30 * SECOND),
  /** How often worker processes evaluate alert rules (one process at a time, under a lease). */
  ALERT_EVALUATION_INTERVAL_MS: int(100, 60 * MINUTE).default(15 * SECOND),
  /** Jobs one prune statement deletes at most (each in its own short transaction). */
  PRUNE_BATCH: int(1, 10_000).default(500),
  /** Jobs the pruner deletes per second at most, so it never crowds out the drain. */
  PRUNE_MAX_PER_SECOND: int(1).default(5000),

  OUTBOUND_WEBHOOK: z.string().url({ message: 'expected an http(s) URL' }).optional(),
  WEBHOOK_SECRET: z.string().min(1).default(DEV_WEBHOOK_SECRET),
  WEBHOOK_MAX_RETRIES: int(0, 20).default(3),
  WEBHOOK_RETRY_BASE_MS: int(1).default(SECOND),
  WEBHOOK_TIMEOUT_MS: int(1).default(10 * SECOND),
  WEBHOOK_CONCURRENCY: int(1, 1000).default(64),
  /** An endpoint is disabled after this many consecutive failed messages (retries used up)… */
  WEBHOOK_DISABLE_AFTER_FAILURES: int(1, 1_000_000).default(20),
  /** …that span at least this long, from the first of them to the last. */
  WEBHOOK_DISABLE_AFTER_MS: int(0, 2_147_483_647).default(DAY),
  /** Parsed once into `Config.allowList` (see loadConfig). */
  WEBHOOK_ALLOWED_HOSTS: list.default([]),

  API_TOKENS: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(apiToken))
    .default([]),
  AUTH_DISABLED: bool.default(false),
  RATE_LIMIT_MAX: int(1).default(100),
  RATE_LIMIT_WINDOW: int(1000).default(15 * MINUTE),
  GLOBAL_RATE_LIMIT_MAX: int(1).default(3000),
  GLOBAL_RATE_LIMIT_WINDOW: int(1000).default(MINUTE),
  /** Which proxies may set X-Forwarded-For (the client IP that per-IP limits count): false, true, a hop count or addresses/CIDRs. */
  TRUST_PROXY: z
    .string()
    .transform((raw): boolean | number | string =>
      raw === 'true' ? true : raw === 'false' ? false : /^\d+$/.test(raw) ? Number(raw) : raw,
    )
    .default(false),
  FRONTEND_URL: z.string().default('http://localhost:3000'),
  WEB_DIST: z.string().optional(),
});

export type Env = z.output<typeof schema>;

export type Database =
  | { dialect: 'sqlite'; file: string }
  | { dialect: 'mysql' | 'mariadb'; host: string; port: number; dbName: string; user: string; password: string };

export interface Config extends Env {
  database: Database;
  /** WEBHOOK_ALLOWED_HOSTS parsed: the SSRF policy's opt-ins, handed to every guard. */
  allowList: AllowList;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function parseDatabase(env: Env): Database | string {
  const url = env.DATABASE_URL?.trim();
  if (url && /^[a-z]+:\/\//i.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return `DATABASE_URL: expected mysql://user:pass@host:port/db, mariadb://… or an SQLite file path, got "${url}"`;
    }
    const scheme = parsed.protocol.replace(':', '');
    if (scheme === 'sqlite' || scheme === 'file') return { dialect: 'sqlite', file: decodeURIComponent(parsed.pathname) };
    if (scheme !== 'mysql' && scheme !== 'mariadb') {
      return `DATABASE_URL: expected the scheme mysql:// or mariadb:// (or an SQLite file path), got "${scheme}://"`;
    }
    const dbName = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
    if (!dbName) return `DATABASE_URL: expected a database name in the path, got "${url.replace(/:[^:@/]*@/, ':…@')}"`;
    return {
      dialect: scheme,
      host: parsed.hostname,
      port: parsed.port ? Number(parsed.port) : 3306,
      dbName,
      user: decodeURIComponent(parsed.username || 'root'),
      password: decodeURIComponent(parsed.password),
    };
  }
  if (url) return { dialect: 'sqlite', file: url };
  if (env.DB_HOST) {
    return { dialect: 'mysql', host: env.DB_HOST, port: env.DB_PORT, dbName: env.DB_NAME, user: env.DB_USER, password: env.DB_PASSWORD };
  }
  return { dialect: 'sqlite', file: './data/jobs.sqlite' };
}

function parseAllowList(raw: string | undefined): AllowList | string {
  try {
    return new AllowList((raw ?? '').split(','));
  } catch (error) {
    return (error as Error).message;
  }
}

/** Parses the environment; throws one `ConfigError` listing every bad variable by name. */
export function loadConfig(source: Record<string, string | undefined> = process.env, overrides: Partial<Config> = {}): Config {
  // An empty variable means "not set": compose files and CI often export VAR= .
  const env = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(env);
  const problems: string[] = [];
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(`${issue.path.join('.')}: ${issue.message}`);
    // Report a bad DATABASE_URL in the same run as the other problems.
    const database = env.DATABASE_URL ? parseDatabase({ DATABASE_URL: env.DATABASE_URL } as Env) : undefined;
    if (typeof database === 'string') problems.push(database);
    const allowList = parseAllowList(env.WEBHOOK_ALLOWED_HOSTS);
    if (typeof allowList === 'string') problems.push(allowList);
    throw new ConfigError(problems);
  }
  const database = parseDatabase(result.data);
  const allowList = overrides.WEBHOOK_ALLOWED_HOSTS
    ? parseAllowList(overrides.WEBHOOK_ALLOWED_HOSTS.join(','))
    : parseAllowList(env.WEBHOOK_ALLOWED_HOSTS);
  const bad = [database, allowList].filter((x): x is string => typeof x === 'string');
  if (bad.length > 0) throw new ConfigError(bad);
  const config: Config = { ...result.data, database: database as Database, allowList: allowList as AllowList, ...overrides };
  if (config.NODE_ENV === 'production') {
    const unsafe: string[] = [];
    if (config.API_TOKENS.length === 0 && !config.AUTH_DISABLED) {
      unsafe.push(
        'API_TOKENS: no tokens are configured and NODE_ENV=production; set API_TOKENS="name:admin:token,…" or AUTH_DISABLED=true to run without authentication',
      );
    }
    // The default secret is public (it is in this repository), so anyone could forge signed webhooks.
    if (!config.WEBHOOK_SECRET || config.WEBHOOK_SECRET === DEV_WEBHOOK_SECRET) {
      unsafe.push(
        `WEBHOOK_SECRET: unset, empty or the public development default "${DEV_WEBHOOK_SECRET}" and NODE_ENV=production; set it to a long random value (e.g. openssl rand -hex 32)`,
      );
    }
    if (unsafe.length) throw new ConfigError(unsafe);
  }
  return config;
}
