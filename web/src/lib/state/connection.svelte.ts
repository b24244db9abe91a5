/** What the connection indicator shows. */
export type ConnectionStatus = 'connecting' | 'live' | 'polling' | 'offline';

/** While the WebSocket is down, every visible query is refreshed this often over HTTP. */
export const POLL_INTERVAL_MS = 5_000;

type Refresher = () => Promise<unknown>;

/**
 * Live when the graphql-ws socket is open; otherwise pages are refreshed over HTTP every 5 s
 * ("polling") as long as HTTP answers, and "offline" when it does not. Pages register a refresher;
 * it also runs once when the socket comes back, to catch up on events missed while it was down.
 */
export class ConnectionState {
  #socketOpen = $state(false);
  #everConnected = $state(false);
  #httpReachable = $state(true);
  #socketFailures = $state(0);
  // Callbacks to notify, not state to render: a plain Set on purpose.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #refreshers = new Set<Refresher>();
  #timer: ReturnType<typeof setInterval> | undefined;

  get status(): ConnectionStatus {
    if (this.#socketOpen) return 'live';
    if (!this.#httpReachable) return 'offline';
    // The very first connect gets a moment before we call it "polling".
    if (!this.#everConnected && this.#socketFailures === 0) return 'connecting';
    return 'polling';
  }

  socketOpened(): void {
    const wasDown = this.#everConnected;
    this.#socketOpen = true;
    this.#everConnected = true;
    this.#socketFailures = 0;
    this.#httpReachable = true;
    this.#stopPolling();
    if (wasDown) void this.refreshAll();
  }

  socketClosed(): void {
    this.#socketOpen = false;
    this.#socketFailures++;
    this.#startPolling();
  }

  /** Reported by the HTTP transport on every request. */
  httpResult(reachable: boolean): void {
    this.#httpReachable = reachable;
  }

  /** Registers a page's refresh; returns the unregister for the page's cleanup. */
  register(refresh: Refresher): () => void {
    this.#refreshers.add(refresh);
    return () => this.#refreshers.delete(refresh);
  }

  async refreshAll(): Promise<void> {
    await Promise.allSettled([...this.#refreshers].map((refresh) => refresh()));
  }

  #startPolling(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.refreshAll(), POLL_INTERVAL_MS);
  }

  #stopPolling(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

export const connection = new ConnectionState();
