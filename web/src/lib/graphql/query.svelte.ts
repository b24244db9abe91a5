import type { AnyVariables, Client, CombinedError, DocumentInput, OperationContext } from '@urql/core';
import { connection } from '#lib/state/connection.svelte.ts';

/**
 * One query's latest answer as runes state. `refresh()` may be called from many places (filters,
 * subscriptions, polling); an answer that arrives after a newer request was sent is dropped.
 */
export class QueryState<Data, Variables extends AnyVariables> {
  data = $state<Data | undefined>(undefined);
  error = $state<CombinedError | undefined>(undefined);
  loading = $state(false);
  #sequence = 0;

  constructor(
    private readonly client: Client,
    private readonly document: DocumentInput<Data, Variables>,
    private readonly variables: () => Variables,
    private readonly context: Partial<OperationContext> = {},
  ) {}

  async refresh(): Promise<void> {
    const sequence = ++this.#sequence;
    this.loading = true;
    const result = await this.client.query(this.document, this.variables(), this.context).toPromise();
    if (sequence !== this.#sequence) return;
    this.loading = false;
    // Keep the last good data on a failed refresh: a blip while polling should not blank the page.
    if (result.data !== undefined) this.data = result.data;
    this.error = result.error;
  }

  /** Refresh now, and on every poll / reconnect while the caller is mounted; returns the cleanup. */
  keepFresh(): () => void {
    void this.refresh();
    return connection.register(() => this.refresh());
  }
}

/** Calls `fn` at most once per `waitMs`, trailing: bursts of events cause one refetch. */
export function throttle(fn: () => void, waitMs: number): { (): void; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const throttled = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      fn();
    }, waitMs);
  };
  throttled.cancel = () => {
    clearTimeout(timer);
    timer = undefined;
  };
  return throttled;
}
