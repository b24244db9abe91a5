import type { Em } from './orm.js';

/** Helpers for the few hand-written statements (hot paths and deferred joins) that bypass the ORM. */

export type SqlDialect = 'sqlite' | 'mysql';

export function dialectOf(em: Em): SqlDialect {
  return em.getPlatform().constructor.name.toLowerCase().includes('sqlite') ? 'sqlite' : 'mysql';
}

/** MikroORM stores SQLite datetimes as epoch milliseconds and MySQL ones as DATETIME(3) in UTC. */
export function toDbTime(dialect: SqlDialect, date: Date): number | string {
  return dialect === 'sqlite' ? date.getTime() : date.toISOString().replace('T', ' ').replace('Z', '');
}

export function fromDbTime(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  if (typeof value === 'number' || typeof value === 'bigint') return new Date(Number(value));
  const s = String(value);
  return /^\d+$/.test(s) ? new Date(Number(s)) : new Date(s.includes('T') ? s : `${s.replace(' ', 'T')}Z`);
}

export async function query<T = Record<string, unknown>>(em: Em, sql: string, params: readonly unknown[] = []): Promise<T[]> {
  return (await em.getConnection().execute(sql, [...params], 'all', em.getTransactionContext())) as T[];
}

export async function run(em: Em, sql: string, params: readonly unknown[] = []): Promise<number> {
  const res = (await em.getConnection().execute(sql, [...params], 'run', em.getTransactionContext())) as {
    affectedRows?: number;
    changes?: number;
  };
  return Number(res.affectedRows ?? res.changes ?? 0);
}

/** Escape character for LIKE: not a backslash, which MySQL and SQLite treat differently inside literals. */
export const LIKE_ESCAPE = '!';

/** `LIKE … ESCAPE '!'` pattern that matches `text` literally anywhere. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[!%_]/g, (c) => `${LIKE_ESCAPE}${c}`)}%`;
}
