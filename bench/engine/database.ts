/** Fresh benchmark databases for our engine: a MariaDB database or an SQLite file, migrated like production. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { loadConfig } from '../../api/src/config.js';
import { migrate, openOrm, type Orm } from '../../api/src/db/orm.js';

export const MYSQL_BASE = (process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/+$/, '');

/** Drops and creates a MariaDB database; returns its `mariadb://` URL (the driver our docs pick for MariaDB). */
export async function freshMariaDb(name: string): Promise<string> {
  const conn = await mysql.createConnection(MYSQL_BASE);
  await conn.query(`drop database if exists \`${name}\``);
  await conn.query(`create database \`${name}\``);
  await conn.end();
  const base = new URL(MYSQL_BASE);
  return `mariadb://${base.username || 'root'}${base.password ? `:${base.password}` : ''}@${base.hostname}:${base.port || 3306}/${name}`;
}

export function freshSqliteFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'jobs-bench-')), 'jobs.sqlite');
}

export async function migratedOrm(databaseUrl: string): Promise<Orm> {
  const orm = await openOrm(loadConfig({ DATABASE_URL: databaseUrl }).database);
  await migrate(orm);
  return orm;
}

/** What a MariaDB commit costs and how much fits in memory, for the fair-setup notes. */
export async function mariaDbSettings(): Promise<Record<string, unknown>> {
  const conn = await mysql.createConnection(MYSQL_BASE);
  const [rows] = await conn.query(
    'select @@version as server, @@innodb_flush_log_at_trx_commit as innodb_flush_log_at_trx_commit, @@sync_binlog as sync_binlog, @@log_bin as log_bin, @@innodb_doublewrite as innodb_doublewrite, @@innodb_buffer_pool_size as innodb_buffer_pool_size',
  );
  await conn.end();
  return (rows as Record<string, unknown>[])[0];
}
