import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('loadConfig', () => {
  it('defaults to embedded SQLite on port 5000 with an in-process worker', () => {
    const config = loadConfig({});
    expect(config.database).toEqual({ dialect: 'sqlite', file: './data/jobs.sqlite' });
    expect(config).toMatchObject({ PORT: 5000, ROLE: 'all', WORKER_CONCURRENCY: 4, LEASE_MS: 30_000, WEBHOOK_MAX_RETRIES: 3 });
  });

  it('reports every bad value at once, each by name and with what was expected', () => {
    const found = problems({
      PORT: 'eighty',
      ROLE: 'boss',
      WORKER_CONCURRENCY: '0',
      SIMULATE_JOB_FAILURE: '2',
      API_TOKENS: 'ana:root:secret',
      DATABASE_URL: 'redis://x',
    });
    expect(found).toHaveLength(6);
    expect(found.join('\n')).toMatch(/^DATABASE_URL: expected the scheme/m);
    expect(found.join('\n')).toMatch(/^PORT: expected a whole number/m);
    expect(found.join('\n')).toMatch(/^ROLE: expected all, api or worker/m);
    expect(found.join('\n')).toMatch(/^WORKER_CONCURRENCY: expected a whole number ≥ 1/m);
    expect(found.join('\n')).toMatch(/^SIMULATE_JOB_FAILURE: expected true, false or a number 0\.\.1, got "2"/m);
    expect(found.join('\n')).toMatch(/^API_TOKENS.*expected "name:admin\|viewer\|worker:token"/m);
    expect(found.join('\n')).not.toContain('secret');
  });

  it('endpoint auto-disable defaults: 20 failed messages over 24 h; bad values are named', () => {
    expect(loadConfig({})).toMatchObject({ WEBHOOK_DISABLE_AFTER_FAILURES: 20, WEBHOOK_DISABLE_AFTER_MS: 86_400_000 });
    expect(loadConfig({ WEBHOOK_DISABLE_AFTER_FAILURES: '3', WEBHOOK_DISABLE_AFTER_MS: '0' })).toMatchObject({
      WEBHOOK_DISABLE_AFTER_FAILURES: 3,
      WEBHOOK_DISABLE_AFTER_MS: 0,
    });
    const found = problems({ WEBHOOK_DISABLE_AFTER_FAILURES: '0', WEBHOOK_DISABLE_AFTER_MS: 'a day' }).join('\n');
    expect(found).toMatch(/^WEBHOOK_DISABLE_AFTER_FAILURES: expected a whole number/m);
    expect(found).toMatch(/^WEBHOOK_DISABLE_AFTER_MS: expected a whole number/m);
  });

  it('selects the database from DATABASE_URL or the DB_* parts', () => {
    expect(loadConfig({ DATABASE_URL: 'mysql://u:p%40ss@db:3307/jobs' }).database).toEqual({
      dialect: 'mysql',
      host: 'db',
      port: 3307,
      dbName: 'jobs',
      user: 'u',
      password: 'p@ss',
    });
    expect(loadConfig({ DATABASE_URL: 'mariadb://root@127.0.0.1/jobs' }).database).toMatchObject({ dialect: 'mariadb', port: 3306 });
    expect(loadConfig({ DATABASE_URL: '/var/lib/jobs.sqlite' }).database).toEqual({ dialect: 'sqlite', file: '/var/lib/jobs.sqlite' });
    expect(loadConfig({ DB_HOST: 'db', DB_NAME: 'jobsdb', DB_USER: 'app', DB_PASSWORD: 'pw' }).database).toEqual({
      dialect: 'mysql',
      host: 'db',
      port: 3306,
      dbName: 'jobsdb',
      user: 'app',
      password: 'pw',
    });
    expect(problems({ DATABASE_URL: 'postgres://x/y' })[0]).toMatch(/^DATABASE_URL: expected the scheme mysql:\/\/ or mariadb:\/\//);
    expect(problems({ DATABASE_URL: 'mysql://root@db:3306/' })[0]).toMatch(/^DATABASE_URL: expected a database name/);
  });

  it('reads retention in milliseconds or with a unit, 0 keeping forever, and names a bad one', () => {
    expect(loadConfig({})).toMatchObject({
      RETENTION_COMPLETED: 604_800_000,
      RETENTION_FAILED: 2_592_000_000,
      RETENTION_CANCELLED: 604_800_000,
    });
    expect(loadConfig({ RETENTION_COMPLETED: '12h', RETENTION_FAILED: '0', RETENTION_CANCELLED: '90000' })).toMatchObject({
      RETENTION_COMPLETED: 43_200_000,
      RETENTION_FAILED: 0,
      RETENTION_CANCELLED: 90_000,
    });
    expect(problems({ RETENTION_FAILED: '7 days', RETENTION_CANCELLED: '500' })).toEqual([
      'RETENTION_FAILED: expected a duration such as 90s, 15m, 12h, 7d or milliseconds (0 keeps forever), got "7 days"',
      'RETENTION_CANCELLED: expected 0 (keep forever) or at least 1s, got "500"',
    ]);
  });

  it('parses tokens, failure shares and lists', () => {
    const config = loadConfig({
      API_TOKENS: 'ops:admin:t1, dash:viewer:t2',
      SIMULATE_JOB_FAILURE: '0.25',
      WEBHOOK_ALLOWED_HOSTS: 'hooks.internal, 10.0.0.0/8',
    });
    expect(config.API_TOKENS).toEqual([
      { name: 'ops', role: 'admin', token: 't1' },
      { name: 'dash', role: 'viewer', token: 't2' },
    ]);
    expect(config.SIMULATE_JOB_FAILURE).toBe(0.25);
    expect(loadConfig({ SIMULATE_JOB_FAILURE: 'true' }).SIMULATE_JOB_FAILURE).toBe(1);
    expect(config.WEBHOOK_ALLOWED_HOSTS).toEqual(['hooks.internal', '10.0.0.0/8']);
  });

  it('refuses production without tokens unless auth is explicitly disabled', () => {
    expect(problems({ NODE_ENV: 'production' })[0]).toMatch(/API_TOKENS.*AUTH_DISABLED=true/);
    expect(loadConfig({ NODE_ENV: 'production', AUTH_DISABLED: 'true', WEBHOOK_SECRET: 'a-real-secret' }).AUTH_DISABLED).toBe(true);
  });

  it('refuses production with the default or an empty WEBHOOK_SECRET, naming it', () => {
    const prod = { NODE_ENV: 'production', API_TOKENS: 'ops:admin:t1' };
    for (const secret of [undefined, '', 'dev-webhook-secret']) {
      const found = problems(secret === undefined ? prod : { ...prod, WEBHOOK_SECRET: secret });
      expect(found, `WEBHOOK_SECRET=${secret}`).toHaveLength(1);
      expect(found[0]).toMatch(/^WEBHOOK_SECRET: .*NODE_ENV=production/);
    }
    // An empty secret passed in code (not only through the environment) is refused too.
    expect(() => loadConfig(prod, { WEBHOOK_SECRET: '' })).toThrow(/WEBHOOK_SECRET/);
    // Without tokens as well, both problems are reported at once, API_TOKENS first.
    const both = problems({ NODE_ENV: 'production' });
    expect(both).toHaveLength(2);
    expect(both[0]).toMatch(/^API_TOKENS/);
    expect(both[1]).toMatch(/^WEBHOOK_SECRET/);
    expect(loadConfig({ ...prod, WEBHOOK_SECRET: 'a-real-secret' }).WEBHOOK_SECRET).toBe('a-real-secret');
  });

  it('keeps the development default WEBHOOK_SECRET outside production', () => {
    expect(loadConfig({}).WEBHOOK_SECRET).toBe('dev-webhook-secret');
    expect(loadConfig({ NODE_ENV: 'test', WEBHOOK_SECRET: '' }).WEBHOOK_SECRET).toBe('dev-webhook-secret');
  });
});
