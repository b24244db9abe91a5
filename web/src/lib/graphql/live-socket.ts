import { createClient as createWsClient, type Client as WsClient, type Sink, type SubscribePayload } from 'graphql-ws';
import { auth } from '#lib/state/auth.svelte.ts';
import { connection } from '#lib/state/connection.svelte.ts';
import { reconnectDelayMs } from './backoff.ts';

/** graphql-ws close codes that mean "who are you?": ask for a token. */
const AUTH_CLOSE_CODES = new Set([4401, 4403]);
/** Not one of graphql-ws's fatal codes, so the client reconnects at once with fresh connectionParams. */
const RESTART_CLOSE_CODE = 4205;

function isCloseEvent(value: unknown): value is { code: number; reason: string } {
  return typeof value === 'object' && value !== null && 'code' in value && typeof (value as { code: unknown }).code === 'number';
}

/**
 * The dashboard's one WebSocket. graphql-ws retries most closes by itself (with our backoff), but
 * treats some (1011, 4500, …) as fatal and stops for good: a dashboard left open for days must not.
 * After a fatal close this replaces the client (again with backoff) and re-subscribes everything
 * that was listening, so pages never notice beyond the indicator.
 */
export class LiveSocket {
  #client: WsClient;
  #socket: WebSocket | undefined;
  #fatalRetries = 0;
  #replacing: ReturnType<typeof setTimeout> | undefined;
  /** Subscriptions waiting for a replacement client after a fatal close. */
  #waiting = new Set<() => void>();

  constructor(private readonly url: string) {
    this.#client = this.#create();
  }

  #create(): WsClient {
    return createWsClient({
      url: this.url,
      lazy: false,
      keepAlive: 10_000,
      retryAttempts: Number.POSITIVE_INFINITY,
      shouldRetry: () => true,
      retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, reconnectDelayMs(retries))),
      connectionParams: () => (auth.authorization ? { authorization: auth.authorization } : {}),
      onNonLazyError: () => this.#replaceLater(),
      on: {
        connected: (socket) => {
          this.#socket = socket as WebSocket;
          this.#fatalRetries = 0;
          connection.socketOpened();
        },
        closed: (event) => {
          this.#socket = undefined;
          connection.socketClosed();
          if (isCloseEvent(event) && AUTH_CLOSE_CODES.has(event.code)) auth.ask();
        },
      },
    });
  }

  #replaceLater(): void {
    if (this.#replacing) return;
    this.#replacing = setTimeout(() => {
      this.#replacing = undefined;
      void this.#client.dispose();
      this.#client = this.#create();
      const waiting = [...this.#waiting];
      this.#waiting.clear();
      for (const resubscribe of waiting) resubscribe();
    }, reconnectDelayMs(this.#fatalRetries++));
  }

  /** Reconnect now (a new token): the server sees the new connectionParams. */
  restart(): void {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.close(RESTART_CLOSE_CODE, 'Client Restart');
  }

  /** `R` is whatever result shape the caller's sink takes (urql's ExecutionResult): the server's results pass through unchanged. */
  subscribe<R>(payload: SubscribePayload, sink: Sink<R>): () => void {
    let active = true;
    let unsubscribe = () => {};
    const start = () => {
      unsubscribe = this.#client.subscribe(payload, {
        next: (value) => active && sink.next(value as R),
        complete: () => active && sink.complete(),
        error: (error) => {
          if (!active) return;
          if (!isCloseEvent(error)) return sink.error(error);
          // The connection died for good: wait for the replacement client and subscribe again.
          this.#waiting.add(start);
          this.#replaceLater();
        },
      });
    };
    start();
    return () => {
      active = false;
      this.#waiting.delete(start);
      unsubscribe();
    };
  }
}
