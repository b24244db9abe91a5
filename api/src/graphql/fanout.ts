import { subscribe, type ExecutionArgs, type ExecutionResult } from 'graphql';

/** Where a subscriber's frames go: one graphql-ws subscription on one socket. */
export interface FanoutMember {
  /** The graphql-ws subscription id, as the client chose it. */
  id: string;
  /** Sends one complete graphql-transport-ws frame; returns false when the socket could not take it. */
  send(frame: string): boolean;
}

/** What a shared subscription's results become on the wire (errors masked as on HTTP). */
export type ResultFormatter = (result: ExecutionResult) => ExecutionResult;

interface Joined {
  member: FanoutMember;
  /** `{"id":"…","type":"next","payload":` for this member, built once. */
  head: string;
  end(): void;
  fail(error: unknown): void;
}

interface Group {
  members: Set<Joined>;
  /** graphql-js's subscribe for the first member: a stream of results, or the errors that refused it. */
  source: Promise<AsyncGenerator<ExecutionResult> | ExecutionResult>;
}

/**
 * Subscriptions with the same operation, variables and viewer share one execution: graphql-js
 * subscribes once per group, each event is executed and serialized once, and every member gets the
 * same payload bytes inside its own frame. Authorization and argument checks stay per subscriber
 * (they run before joining, in graphql-ws's onSubscribe); what a subscriber may see cannot differ
 * inside a group, because the group key holds everything execution depends on: the document, the
 * operation name, the variables and the viewer.
 *
 * graphql-ws keeps its own bookkeeping: each member's subscription is an iterator that yields
 * nothing and ends when the group's stream ends (graphql-ws then sends `complete`), fails when it
 * fails (graphql-ws sends `error`), and leaves the group when graphql-ws returns it (the client
 * completed, or the socket closed).
 */
export class SubscriptionFanout {
  private readonly groups = new Map<string, Group>();

  constructor(private readonly format: ResultFormatter) {}

  /** Groups with at least one member (or being set up): executions per event. */
  get size(): number {
    return this.groups.size;
  }

  /** Subscriptions served by the groups. */
  get members(): number {
    let n = 0;
    for (const g of this.groups.values()) n += g.members.size;
    return n;
  }

  async join(key: string, args: ExecutionArgs, member: FanoutMember): Promise<AsyncIterableIterator<never> | ExecutionResult> {
    for (;;) {
      let group = this.groups.get(key);
      if (!group) {
        group = { members: new Set(), source: (async () => subscribe(args))() };
        this.groups.set(key, group);
        void this.pump(key, group);
      }
      const source = await group.source;
      if (!isAsyncIterable(source)) {
        // Refused (a resolver error at subscribe time): every subscriber gets the same answer.
        if (this.groups.get(key) === group) this.groups.delete(key);
        return source;
      }
      // The group ended (its stream finished, or its last member left) while this one waited: start anew.
      if (this.groups.get(key) !== group) continue;
      return this.enter(key, group, member);
    }
  }

  private enter(key: string, group: Group, member: FanoutMember): AsyncIterableIterator<never> {
    let settle: ((r: IteratorResult<never>) => void) | null = null;
    let reject: ((e: unknown) => void) | null = null;
    let outcome: { error: unknown } | 'done' | null = null;
    const joined: Joined = {
      member,
      head: `{"id":${JSON.stringify(member.id)},"type":"next","payload":`,
      end: () => {
        outcome ??= 'done';
        settle?.({ done: true, value: undefined });
      },
      fail: (error) => {
        outcome ??= { error };
        reject?.(error);
      },
    };
    group.members.add(joined);
    const leave = () => {
      group.members.delete(joined);
      if (group.members.size === 0 && this.groups.get(key) === group) {
        this.groups.delete(key);
        // The last member left: end graphql-js's stream, which ends the bus subscription under it.
        void group.source.then((s) => (isAsyncIterable(s) ? s.return(undefined) : undefined)).catch(() => {});
      }
    };
    const iterator: AsyncIterableIterator<never> = {
      next: () => {
        if (outcome === 'done') return Promise.resolve({ done: true, value: undefined });
        if (outcome) return Promise.reject(outcome.error);
        return new Promise<IteratorResult<never>>((resolve, fail) => {
          settle = resolve;
          reject = fail;
        });
      },
      return: () => {
        leave();
        joined.end();
        return Promise.resolve({ done: true, value: undefined });
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /** Reads the group's stream once and sends each result to every member. */
  private async pump(key: string, group: Group): Promise<void> {
    let source: AsyncGenerator<ExecutionResult> | ExecutionResult;
    try {
      source = await group.source;
    } catch (error) {
      if (this.groups.get(key) === group) this.groups.delete(key);
      for (const m of group.members) m.fail(error);
      return;
    }
    if (!isAsyncIterable(source)) return;
    try {
      for await (const result of source) {
        if (group.members.size === 0) continue;
        const payload = JSON.stringify(this.format(result));
        for (const m of group.members) m.member.send(`${m.head}${payload}}`);
      }
      for (const m of group.members) m.end();
    } catch (error) {
      for (const m of group.members) m.fail(error);
    } finally {
      if (this.groups.get(key) === group) this.groups.delete(key);
    }
  }
}

function isAsyncIterable(value: unknown): value is AsyncGenerator<ExecutionResult> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
