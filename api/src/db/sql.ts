import { CompiledQuery, type Kysely, type QueryResult } from 'kysely';
import type { Em } from './orm.js';

/** Helpers for the few hand-written statements (hot paths and deferred joins) that bypass the ORM. */

export type SqlDialect = 'sqlite' | 'mysql';

export function dialectOf(em: Em): SqlDialect {
  return em.getPlatform().constructor.name.toLowerCase().includes('sqlite') ? 'sqlite' : 'mysql';
}

/** MikroORM stores SQLite datetimes as epoch milliseconds and MySQL ones as DATETIME(3) in UTC. */
export function toDbTime(dialect: SqlDialect, date: Date): number | string {
  if (dialect === 'sqlite') return date.getTime();
  const iso = date.toISOString();
  // 'YYYY-MM-DDTHH:mm:ss.sssZ' → 'YYYY-MM-DD HH:mm:ss.sss' by slicing (the engine formats several times per job).
  return iso.length === 24 ? `${iso.slice(0, 10)} ${iso.slice(11, 23)}` : iso.replace('T', ' ').replace('Z', '');
}

/**
 * A time as an SQL literal, for a value many rows of one statement share: formatted by us from a Date
 * (digits and separators only), so it cannot carry a quote.
 */
export function timeLiteral(dialect: SqlDialect, at: Date): string {
  const value = toDbTime(dialect, at);
  return typeof value === 'number' ? String(value) : `'${value}'`;
}

export function fromDbTime(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  if (typeof value === 'number' || typeof value === 'bigint') return new Date(Number(value));
  const s = String(value);
  return /^\d+$/.test(s) ? new Date(Number(s)) : new Date(s.includes('T') ? s : `${s.replace(' ', 'T')}Z`);
}

/** A JSON column as JSON text (SQLite, the mariadb driver); a value that does not parse is kept as it is. */
function parseJsonText(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? null;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** A JSON column the driver parsed already (the mysql driver): a string here is a JSON string value. */
const parsedJson = (value: unknown): unknown => value ?? null;

/**
 * How to read a JSON column of a hand-written statement run through `em`. MikroORM lets mysql2 parse
 * JSON columns for the mysql driver (on MySQL 8 and on MariaDB) and keeps them as text for mariadb and
 * SQLite. Parsing an already parsed value would turn a result that is the string "42" into the number 42.
 */
export function jsonColumnReader(em: Em): (value: unknown) => unknown {
  return em.getPlatform().convertsJsonAutomatically() ? parsedJson : parseJsonText;
}

/** Rows of a hand-written statement (parameters bound by the driver: see `executeBound`). */
export async function query<T = Record<string, unknown>>(em: Em, sql: string, params: readonly BoundValue[] = []): Promise<T[]> {
  return (await executeBound(em, sql, params)).rows as T[];
}

/** Rows a hand-written statement changed (matched, for MySQL: its affected rows). */
export async function run(em: Em, sql: string, params: readonly BoundValue[] = []): Promise<number> {
  return Number((await executeBound(em, sql, params)).numAffectedRows ?? 0);
}

/** What `executeBound` accepts: the value types mysql2 and better-sqlite3 both bind as they are. */
export type BoundValue = string | number | bigint | null;

/**
 * Runs one statement with its parameters bound by the driver (mysql2 escapes them in one pass,
 * better-sqlite3 binds them), on the transaction `em` is in or else the pool, and returns Kysely's
 * result (`rows`, `insertId`). For large statements on hot paths: MikroORM's `execute` first inlines
 * every parameter into the SQL text, then mysql2 scans the whole text again for placeholders, which
 * shows for a 1,000-row INSERT. Errors are MikroORM's (callers
 * catch UniqueConstraintViolationException).
 */
export async function executeBound(em: Em, sql: string, params: readonly BoundValue[]): Promise<QueryResult<Record<string, unknown>>> {
  const conn = em.getConnection();
  await conn.ensureConnection(); // as MikroORM's execute does: the MySQL client is created on first use
  // MikroORM's transaction context is a Kysely transaction on one pooled connection.
  const client = (em.getTransactionContext() as Kysely<unknown> | undefined) ?? conn.getClient();
  try {
    return (await client.executeQuery(CompiledQuery.raw(sql, [...params]))) as QueryResult<Record<string, unknown>>;
  } catch (error) {
    throw em.getDriver().convertException(error as Error);
  }
}

/** One multi-row INSERT of `rows` (each as many values as `columns`), parameters bound by the driver. */
export async function insertRows(
  em: Em,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly BoundValue[])[],
): Promise<void> {
  if (rows.length === 0) return;
  const row = `(${placeholders(columns.length)})`;
  await run(em, `insert into ${table} (${columns.join(', ')}) values ${rows.map(() => row).join(', ')}`, rows.flat());
}

/**
 * Runs a plain multi-row `insert … values` of `count` rows and returns their ids in row order.
 * SQLite returns them (`RETURNING id` lists rows in insertion order for such an insert); MySQL/MariaDB
 * report the first id of the statement, and a multi-row INSERT of known size takes consecutive ids
 * (InnoDB `innodb_autoinc_lock_mode` 0 or 1; MikroORM's own batch inserts rely on the same), stepping
 * by `auto_increment_increment`.
 */
export async function insertReturningIds(em: Em, sql: string, params: readonly BoundValue[], count: number): Promise<number[]> {
  if (dialectOf(em) === 'sqlite') return (await query<{ id: unknown }>(em, `${sql} returning id`, params)).map((r) => Number(r.id));
  const step = await autoIncrementStep(em);
  const first = Number((await executeBound(em, sql, params)).insertId);
  return Array.from({ length: count }, (_, i) => first + i * step);
}

let cachedStep: number | undefined;
async function autoIncrementStep(em: Em): Promise<number> {
  if (cachedStep === undefined) {
    const { rows } = await executeBound(em, 'select @@auto_increment_increment as step', []);
    cachedStep = Number(rows[0]?.step ?? 1) || 1;
  }
  return cachedStep;
}

/** `?, ?, ?` for an IN list. */
export const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

/** Escape character for LIKE: not a backslash, which MySQL and SQLite treat differently inside literals. */
export const LIKE_ESCAPE = '!';

/** `LIKE … ESCAPE '!'` pattern that matches `text` literally anywhere. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[!%_]/g, (c) => `${LIKE_ESCAPE}${c}`)}%`;
}
