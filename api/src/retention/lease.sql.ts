import type { Em } from '../db/orm.js';
import { dialectOf, run, toDbTime } from '../db/sql.js';

/**
 * Takes or renews the lease `name` for `owner` until `now + ms`; true when `owner` holds it now.
 * One conditional UPDATE decides, so two processes racing for a lapsed lease cannot both win.
 */
export async function holdLease(em: Em, name: string, owner: string, ms: number, now = new Date()): Promise<boolean> {
  const dialect = dialectOf(em);
  const insert = dialect === 'sqlite' ? 'insert or ignore' : 'insert ignore';
  await run(em, `${insert} into leases (name, owner, expires_at) values (?, ?, ?)`, [name, '', toDbTime(dialect, new Date(0))]);
  const taken = await run(em, 'update leases set owner = ?, expires_at = ? where name = ? and (owner = ? or expires_at < ?)', [
    owner,
    toDbTime(dialect, new Date(now.getTime() + ms)),
    name,
    owner,
    toDbTime(dialect, now),
  ]);
  return taken > 0;
}

/** Gives the lease up (shutdown), so another process need not wait for it to lapse. */
export async function releaseLease(em: Em, name: string, owner: string): Promise<void> {
  await run(em, 'update leases set expires_at = ? where name = ? and owner = ?', [toDbTime(dialectOf(em), new Date(0)), name, owner]);
}
