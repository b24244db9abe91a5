import { describe, expect, it } from 'vitest';
import { unlimited, type QueueSettings } from '../queues/queue-state.sql.js';
import { ClaimPlan } from './claim-plan.js';
import { ReadyQueue } from './ready-queue.js';

const open = (name: string) => unlimited(name);
const limited = (name: string, s: Partial<QueueSettings> = { concurrencyLimit: 2 }) => ({ ...unlimited(name), ...s });
const claim = (jobs: number, limitedBy: 'concurrency' | 'rate' | 'key' | null = null, retryAt: Date | null = null) => ({
  jobs: Array.from({ length: jobs }, () => ({}) as never),
  settings: null,
  limitedBy,
  retryAt,
  admittedAt: new Date(),
});

describe('ClaimPlan', () => {
  it('splits the free slots evenly over queues with work, the remainder turning from round to round', () => {
    const plan = new ClaimPlan();
    const queues = [open('a'), open('b'), open('c')];
    const first = plan.openRound(queues, 10);
    expect(first.map((s) => s.limit).reduce((x, y) => x + y)).toBe(10);
    expect(first.map((s) => s.limit).sort()).toEqual([3, 3, 4]);
    plan.limitedRound([], 0, 0);
    const second = plan.openRound(queues, 10);
    expect(second.findIndex((s) => s.limit === 4)).not.toBe(first.findIndex((s) => s.limit === 4));
  });

  it('probes a queue that ran dry for one job while a busy queue takes the rest', () => {
    const plan = new ClaimPlan();
    const queues = [open('busy'), open('quiet')];
    plan.claimed({ queue: 'busy', limit: 5 }, 5);
    plan.claimed({ queue: 'quiet', limit: 5 }, 0);
    expect(plan.openRound(queues, 100)).toEqual([
      { queue: 'busy', limit: 100 },
      { queue: 'quiet', limit: 1 },
    ]);
    // A job of the quiet queue made here: it gets a full share again.
    plan.wake('quiet');
    expect(plan.openRound(queues, 100).map((s) => s.limit)).toEqual([50, 50]);
  });

  it('a sweep forgets what every queue gave', () => {
    const plan = new ClaimPlan();
    plan.claimed({ queue: 'a', limit: 5 }, 0);
    plan.claimedLimited({ queue: 'l', limit: 2 }, claim(2, 'concurrency'));
    plan.sweep();
    expect(plan.openRound([open('a')], 8)).toEqual([{ queue: 'a', limit: 8 }]);
    expect(plan.limitedRound([limited('l')], 2, Date.now()).limited).toEqual([{ queue: 'l', limit: 2 }]);
  });

  it('a limited queue at its limit is left out until a slot of it frees here', () => {
    const plan = new ClaimPlan();
    const queues = [limited('l')];
    plan.claimedLimited({ queue: 'l', limit: 4 }, claim(2, 'concurrency'));
    expect(plan.limitedRound(queues, 4, Date.now()).limited).toEqual([]);
    expect(plan.slotFreed('other')).toBe(false);
    expect(plan.slotFreed('l')).toBe(true);
    expect(plan.limitedRound(queues, 4, Date.now()).limited).toEqual([{ queue: 'l', limit: 4 }]);
  });

  it('a rate-limited queue waits for its window, and says when that is', () => {
    const plan = new ClaimPlan();
    const queues = [limited('r', { rateLimit: { max: 5, perMs: 1000 } })];
    const now = Date.now();
    plan.claimedLimited({ queue: 'r', limit: 8 }, claim(5, 'rate', new Date(now + 700)));
    expect(plan.nextUnblock()).toBe(now + 700);
    expect(plan.limitedRound(queues, 8, now + 699).limited).toEqual([]);
    expect(plan.slotFreed('r')).toBe(false); // a freed slot does not widen a rate window
    expect(plan.limitedRound(queues, 8, now + 700).limited).toEqual([{ queue: 'r', limit: 8 }]);
  });

  it('a limited queue that ran dry waits for the next sweep or a job made here, and a slot freeing does not wake it', () => {
    const plan = new ClaimPlan();
    const queues = [limited('l')];
    plan.claimedLimited({ queue: 'l', limit: 4 }, claim(1));
    expect(plan.limitedRound(queues, 4, Date.now()).limited).toEqual([]);
    expect(plan.slotFreed('l')).toBe(false);
    plan.wake('l');
    expect(plan.limitedRound(queues, 4, Date.now()).limited).toHaveLength(1);
  });

  it('limited queues are never asked for more jobs than there are free slots, however many there are', () => {
    const plan = new ClaimPlan();
    const queues = ['l1', 'l2', 'l3', 'l4', 'l5', 'l6'].map((n) => limited(n));
    const seen = new Set<string>();
    for (let round = 0; round < 3; round++) {
      const { limited: shares } = plan.limitedRound(queues, 4, Date.now());
      expect(shares.reduce((n, s) => n + s.limit, 0)).toBe(4);
      for (const s of shares) seen.add(s.queue);
    }
    // The slots go round: every queue is asked within a few rounds.
    expect(seen.size).toBe(6);
  });

  it('limited queues without a free handler slot are reported starved, and their round asks nothing', () => {
    const plan = new ClaimPlan();
    expect(plan.limitedRound([limited('l'), open('a')], 0, Date.now())).toEqual({ limited: [], starved: true });
    expect(plan.limitedRound([open('a')], 0, Date.now())).toEqual({ limited: [], starved: false });
  });
});

describe('ReadyQueue', () => {
  const item = (queue: string, n: number) => ({ job: { queue }, n });

  it('takes from each queue in turn, in claim order inside a queue', () => {
    const ready = new ReadyQueue<ReturnType<typeof item>>();
    for (let i = 0; i < 4; i++) ready.push(item('backlog', i));
    ready.push(item('quiet', 0));
    expect(ready.length).toBe(5);
    const order = Array.from({ length: 5 }, () => ready.shift()!).map((x) => `${x.job.queue}${x.n}`);
    expect(order).toEqual(['backlog0', 'quiet0', 'backlog1', 'backlog2', 'backlog3']);
    expect(ready.shift()).toBeUndefined();
  });

  it('drain empties every line', () => {
    const ready = new ReadyQueue<ReturnType<typeof item>>();
    ready.push(item('a', 0));
    ready.push(item('b', 0));
    expect(ready.drain()).toHaveLength(2);
    expect(ready.length).toBe(0);
  });
});
