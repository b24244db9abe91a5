import { randomBytes } from 'node:crypto';

/**
 * A remote claim's lease owner is `<workerId>/<claim nonce>`, written in `jobs.lease_owner`; its token
 * is `<jobId>.<owner>`. Every claim gets a new nonce, so a token goes stale the moment its job's lease
 * is taken back and claimed again — even by the same worker — and every end-state write checks it.
 */

const TOKEN = /^(\d{1,15})\.(w_[0-9a-f]{16})\/([0-9a-f]{12})$/;

export interface LeaseToken {
  jobId: number;
  workerId: string;
  /** What `jobs.lease_owner` says while the lease holds. */
  owner: string;
}

export const newRemoteWorkerId = (): string => `w_${randomBytes(8).toString('hex')}`;

/** The owner of one claim's leases. */
export const claimOwner = (workerId: string): string => `${workerId}/${randomBytes(6).toString('hex')}`;

export const tokenOf = (jobId: number, owner: string): string => `${jobId}.${owner}`;

/** The worker a lease owner belongs to: a remote claim's worker, or the local worker itself. */
export const workerOfOwner = (owner: string): string => owner.split('/')[0];

/** Null when the text is not a lease token (a typo, or a token of another product). */
export function parseToken(text: string): LeaseToken | null {
  const m = TOKEN.exec(text);
  if (!m) return null;
  return { jobId: Number(m[1]), workerId: m[2], owner: `${m[2]}/${m[3]}` };
}
