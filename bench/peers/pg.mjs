/** PostgreSQL helpers for the Postgres-backed peers: a database of their own, recreated per bench run. */
import pg from 'pg';

export const PG_BASE = process.env.BENCH_PG_URL ?? 'postgres://root@127.0.0.1:5432/postgres';

/** Drops and creates `name`; returns its connection string. */
export async function freshPgDatabase(name) {
  const admin = new pg.Client({ connectionString: PG_BASE });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_BASE);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Server version and the settings that decide what a commit costs. */
export async function pgSettings(pool) {
  const get = async (sql) => (await pool.query(sql)).rows[0];
  return {
    server: (await get('show server_version')).server_version,
    fsync: (await get('show fsync')).fsync,
    synchronous_commit: (await get('show synchronous_commit')).synchronous_commit,
    shared_buffers: (await get('show shared_buffers')).shared_buffers,
  };
}
