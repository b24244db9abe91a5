import type { Em } from '../../db/orm.js';
import { dialectOf, fromDbTime, query, toDbTime, type BoundValue, type SqlDialect } from '../../db/sql.js';
import type { JobSort } from '../job.enums.js';
import type { JobFilter } from '../job.input.js';
import { whereClause } from '../list-jobs.sql.js';
import { SORT_KEYS, type Position } from './cursor.js';

/** Which way from a position: rows later in the sort order, or earlier. */
type Side = 'after' | 'before';

export interface Condition {
  sql: string;
  params: BoundValue[];
}

/**
 * Rows on one side of a position, as `a <= ? and (a < ? or (b <= ? and (b < ? or id < ?)))` rather than
 * a row-value comparison: every column gets a range bound the optimizer can seek to, on SQLite and
 * MariaDB alike, so a page deep in the list reads as few index entries as the first.
 */
export function beyond(dialect: SqlDialect, sort: JobSort, at: Position, side: Side, inclusive: boolean): Condition {
  const { columns, descending } = SORT_KEYS[sort];
  const op = (side === 'after') === descending ? '<' : '>';
  const names = [...columns.map((c) => c.name), 'id'];
  const values: BoundValue[] = [...at.keys.map((k) => (k instanceof Date ? toDbTime(dialect, k) : k)), at.id];
  const params: BoundValue[] = [];
  const build = (i: number): string => {
    if (i === names.length - 1) {
      params.push(values[i]);
      return `${names[i]} ${op}${inclusive ? '=' : ''} ?`;
    }
    params.push(values[i], values[i]);
    const head = `${names[i]} ${op}= ? and (${names[i]} ${op} ?`;
    return `${head} or ${build(i + 1)})`;
  };
  return { sql: `(${build(0)})`, params };
}

function orderBy(sort: JobSort, reversed: boolean): string {
  const { columns, descending } = SORT_KEYS[sort];
  const dir = descending !== reversed ? 'desc' : 'asc';
  return [...columns.map((c) => c.name), 'id'].map((name) => `${name} ${dir}`).join(', ');
}

function where(filter: JobFilter | undefined, conditions: Condition[]): Condition {
  const base = whereClause(filter);
  const extra = conditions.map((c) => c.sql);
  const sql = extra.length === 0 ? base.sql : `${base.sql ? `${base.sql} and` : 'where'} ${extra.join(' and ')}`;
  return { sql, params: [...base.params, ...conditions.flatMap((c) => c.params)] };
}

export interface Window {
  after?: Position;
  before?: Position;
  /** Take `count` rows from the start of the window (`first`) or from its end (`last`). */
  from: 'start' | 'end';
  count: number;
}

export interface WindowResult {
  positions: Position[];
  hasPreviousPage: boolean;
  hasNextPage: boolean;
}

/** The statement that reads a window's positions: `count + 1` rows in the order it is taken from. */
export function windowQuery(dialect: SqlDialect, filter: JobFilter | undefined, sort: JobSort, window: Window): Condition {
  const bounds: Condition[] = [];
  if (window.after) bounds.push(beyond(dialect, sort, window.after, 'after', false));
  if (window.before) bounds.push(beyond(dialect, sort, window.before, 'before', false));
  const w = where(filter, bounds);
  const select = ['id', ...SORT_KEYS[sort].columns.map((c) => c.name)].join(', ');
  return {
    sql: `select ${select} from jobs ${w.sql} order by ${orderBy(sort, window.from === 'end')} limit ?`,
    params: [...w.params, window.count + 1],
  };
}

/**
 * One page of positions between two cursors, in sort order. Reads `count + 1` index entries (the extra
 * one says whether more follow) plus, for a page that starts or ends at a cursor, one more probe for rows
 * beyond it: the cost is the page's, never the depth's.
 */
export async function readWindow(em: Em, filter: JobFilter | undefined, sort: JobSort, window: Window): Promise<WindowResult> {
  const dialect = dialectOf(em);
  const { columns } = SORT_KEYS[sort];
  const reversed = window.from === 'end';
  const statement = windowQuery(dialect, filter, sort, window);
  const rows = await query<Record<string, unknown>>(em, statement.sql, statement.params);
  const more = rows.length > window.count;
  const positions = rows.slice(0, window.count).map((row) => ({
    id: Number(row.id),
    keys: columns.map((c) => (c.kind === 'time' ? (fromDbTime(row[c.name]) as Date) : Number(row[c.name]))),
  }));
  if (reversed) positions.reverse();
  // Rows at or past a cursor lie outside the window: the page has neighbours there when any exist.
  const outside = (at: Position | undefined, side: Side) => (at ? exists(em, filter, beyond(dialect, sort, at, side, true)) : false);
  const [earlier, later] = await Promise.all([outside(window.after, 'before'), outside(window.before, 'after')]);
  return {
    positions,
    hasPreviousPage: (reversed && more) || earlier,
    hasNextPage: (!reversed && more) || later,
  };
}

async function exists(em: Em, filter: JobFilter | undefined, condition: Condition): Promise<boolean> {
  const w = where(filter, [condition]);
  return (await query(em, `select id from jobs ${w.sql} limit 1`, w.params)).length > 0;
}

/** Jobs matching the filter: one COUNT over the filter's index, asked for only when a client selects totalCount. */
export async function countJobs(em: Em, filter: JobFilter | undefined): Promise<number> {
  const w = whereClause(filter);
  const rows = await query<{ total: number }>(em, `select count(*) as total from jobs ${w.sql}`, w.params);
  return Number(rows[0]?.total ?? 0);
}
