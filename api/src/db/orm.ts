import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MikroORM, type Options } from '@mikro-orm/core';
import { ReflectMetadataProvider } from '@mikro-orm/decorators/legacy';
import { MariaDbDriver } from '@mikro-orm/mariadb';
import { Migrator } from '@mikro-orm/migrations';
import { MySqlDriver } from '@mikro-orm/mysql';
import type { AbstractSqlDriver, SqlEntityManager } from '@mikro-orm/sql';
import { CompiledQuery, type DatabaseConnection } from 'kysely';
import { SqliteDriver } from '@mikro-orm/sqlite';
import type { Database } from '../config.js';
import { entities } from '../entities.js';
import { migrationsFor } from './migrations.js';

export type Em = SqlEntityManager;
/** Every dialect we run is SQL: typing the ORM so gives `em` the SQL-only API (execute, query builder). */
export type Orm = MikroORM<AbstractSqlDriver, Em>;
export type Dialect = Database['dialect'];

/** MikroORM options for one database; the same entities serve SQLite, MySQL and MariaDB. */
export function ormOptions(database: Database, poolMax = 20): Partial<Options> {
  const common: Partial<Options> = {
    entities,
    metadataProvider: ReflectMetadataProvider,
    extensions: [Migrator],
    forceUtcTimezone: true,
    allowGlobalContext: false,
    debug: process.env.ORM_DEBUG === 'true',
    migrations: {
      tableName: 'mikro_orm_migrations',
      path: `migrations/${database.dialect === 'sqlite' ? 'sqlite' : 'mysql'}`,
      pathTs: `migrations/${database.dialect === 'sqlite' ? 'sqlite' : 'mysql'}`,
      migrationsList: migrationsFor(database.dialect),
      transactional: true,
      silent: true,
      allOrNothing: true,
      snapshot: false,
      emit: 'ts',
    },
  };
  if (database.dialect === 'sqlite') {
    return { ...common, driver: SqliteDriver, dbName: database.file };
  }
  return {
    ...common,
    driver: database.dialect === 'mariadb' ? MariaDbDriver : MySqlDriver,
    host: database.host,
    port: database.port,
    dbName: database.dbName,
    user: database.user,
    password: database.password,
    pool: { min: 0, max: poolMax },
    onCreateConnection: readCommittedSession,
  };
}

/**
 * Every MySQL/MariaDB connection runs READ COMMITTED, set once when the pool opens it: a level given per
 * transaction costs a `SET TRANSACTION` round trip before each `BEGIN`. Under the default REPEATABLE READ
 * a `FOR UPDATE SKIP LOCKED` claim takes next-key (gap) locks along the claim index, and the gap just
 * before the first PENDING entry is where every newly COMPLETED row's index entry goes: with several
 * workers claiming non-stop, finishing transactions queued behind those gap locks until lock-wait
 * timeouts. READ COMMITTED takes record locks only. Redeliveries and deletes need it too: their locking
 * reads of a job's webhook rows would otherwise hold the gap where a concurrent transaction's outbox
 * INSERT goes (a deadlock, seen in tests). No transaction here needs one snapshot across its statements.
 */
async function readCommittedSession(connection: unknown): Promise<void> {
  await (connection as DatabaseConnection).executeQuery(CompiledQuery.raw('set session transaction isolation level read committed'));
}

export async function openOrm(database: Database, poolMax?: number): Promise<Orm> {
  if (database.dialect === 'sqlite' && database.file !== ':memory:') mkdirSync(dirname(database.file), { recursive: true });
  const orm = (await MikroORM.init(ormOptions(database, poolMax))) as unknown as Orm;
  if (database.dialect === 'sqlite') {
    // WAL lets the dashboard read while a worker writes; busy_timeout waits for the writer instead of failing.
    const conn = orm.em.getConnection();
    await conn.execute('pragma journal_mode = wal');
    await conn.execute('pragma busy_timeout = 5000');
    await conn.execute('pragma synchronous = normal');
  }
  return orm;
}

export async function migrate(orm: Orm): Promise<string[]> {
  const done = await orm.migrator.up();
  return done.map((m) => m.name);
}
