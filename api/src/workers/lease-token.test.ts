import { expect, it } from 'vitest';
import { claimOwner, newRemoteWorkerId, parseToken, tokenOf, workerOfOwner } from './lease-token.js';

it('a token names its job, its worker and its claim', () => {
  const worker = newRemoteWorkerId();
  const owner = claimOwner(worker);
  expect(parseToken(tokenOf(42, owner))).toEqual({ jobId: 42, workerId: worker, owner });
  expect(workerOfOwner(owner)).toBe(worker);
  expect(workerOfOwner('host:123:abcdef')).toBe('host:123:abcdef');
});

it('two claims of one worker have different owners', () => {
  const worker = newRemoteWorkerId();
  expect(claimOwner(worker)).not.toBe(claimOwner(worker));
});

it('refuses what is not a token', () => {
  expect(parseToken('')).toBeNull();
  expect(parseToken('42')).toBeNull();
  expect(parseToken('x.w_0123456789abcdef/0123456789ab')).toBeNull();
  expect(parseToken('42.w_0123456789abcdef/0123456789ab ')).toBeNull();
  expect(parseToken('42.host:1:abc')).toBeNull();
});
