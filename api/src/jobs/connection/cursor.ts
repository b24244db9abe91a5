import { BadUserInputError } from '../../graphql/errors.js';
import { JobSort } from '../job.enums.js';

/**
 * A position in one sort order: the values of the sort's columns and the id that breaks ties (jobs of
 * one `createJobs` batch share a createdAt). Opaque to clients: base64url of a small JSON document that
 * names its sort, so a cursor of one sort is refused under another instead of silently mispositioning.
 */
export interface Position {
  /** Per sort column, in ORDER BY order: a Date for a time column, a number for priority. */
  keys: (Date | number)[];
  id: number;
}

/** The columns each sort orders by before id, and whether the order is descending. */
export const SORT_KEYS: Record<JobSort, { columns: { name: string; kind: 'time' | 'int' }[]; descending: boolean }> = {
  [JobSort.CREATED_AT_DESC]: { columns: [{ name: 'created_at', kind: 'time' }], descending: true },
  [JobSort.CREATED_AT_ASC]: { columns: [{ name: 'created_at', kind: 'time' }], descending: false },
  [JobSort.PRIORITY_DESC]: {
    columns: [
      { name: 'priority', kind: 'int' },
      { name: 'created_at', kind: 'time' },
    ],
    descending: true,
  },
  [JobSort.RUN_AT_ASC]: { columns: [{ name: 'run_at', kind: 'time' }], descending: false },
  [JobSort.UPDATED_AT_DESC]: { columns: [{ name: 'updated_at', kind: 'time' }], descending: true },
};

export function encodeCursor(sort: JobSort, at: Position): string {
  const keys = at.keys.map((k) => (k instanceof Date ? k.toISOString() : k));
  return Buffer.from(JSON.stringify({ s: sort, k: keys, i: at.id })).toString('base64url');
}

export function decodeCursor(field: 'after' | 'before', sort: JobSort, cursor: string): Position {
  const refuse = (why: string): never => {
    throw new BadUserInputError(field, `expected a cursor from a jobsConnection edge of sort ${sort}: ${why}`);
  };
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return refuse('it is not one');
  }
  if (typeof doc !== 'object' || doc === null) return refuse('it is not one');
  const { s, k, i } = doc as { s?: unknown; k?: unknown; i?: unknown };
  if (s !== sort) return refuse(typeof s === 'string' && s in SORT_KEYS ? `it belongs to sort ${s}` : 'it is not one');
  const columns = SORT_KEYS[sort].columns;
  if (!Array.isArray(k) || k.length !== columns.length) return refuse('it is not one');
  if (typeof i !== 'number' || !Number.isSafeInteger(i) || i < 1) return refuse('its id is not a positive integer');
  const keys = columns.map((column, n) => {
    const value: unknown = k[n];
    if (column.kind === 'int')
      return typeof value === 'number' && Number.isSafeInteger(value) ? value : refuse(`${column.name} is not an integer`);
    const date = typeof value === 'string' ? new Date(value) : null;
    return date && !Number.isNaN(date.getTime()) ? date : refuse(`${column.name} is not a time`);
  });
  return { keys, id: i };
}
