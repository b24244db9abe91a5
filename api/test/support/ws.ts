import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** A real graphql-ws client against a test server. */
export function wsClient(httpUrl: string, connectionParams: Record<string, unknown> = {}): Client {
  return createClient({
    url: `${httpUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: true,
  });
}

export interface Collected<T> {
  items: T[];
  errors: unknown[];
  /** Resolves once `count` items arrived (or rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<T[]>;
  /** Resolves once the subscription is acknowledged by the server (first ping-pong done). */
  stop(): void;
}

/** Subscribes and collects every `data[field]` the server sends. */
export function collect<T = any>(client: Client, query: string, variables: Record<string, unknown> = {}): Collected<T> {
  const items: T[] = [];
  const errors: unknown[] = [];
  const waiters: { count: number; resolve: (v: T[]) => void }[] = [];
  const stop = client.subscribe<Record<string, T>>(
    { query, variables },
    {
      next: (msg) => {
        if (msg.errors) errors.push(...msg.errors);
        if (msg.data) items.push(Object.values(msg.data)[0]);
        for (const w of [...waiters]) if (items.length >= w.count) w.resolve(items);
      },
      error: (err) => errors.push(err),
      complete: () => {},
    },
  );
  return {
    items,
    errors,
    stop,
    waitFor(count, timeoutMs = 15_000) {
      if (items.length >= count) return Promise.resolve(items);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `expected ${count} messages, got ${items.length}: ${JSON.stringify(items).slice(0, 500)} errors ${JSON.stringify(errors)}`,
              ),
            ),
          timeoutMs,
        );
        waiters.push({ count, resolve: (v) => (clearTimeout(timer), resolve(v)) });
      });
    },
  };
}

/** Waits until the server has registered the subscription: graphql-ws gives no ack per operation, so poll with a no-op. */
export const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));

/** Opens a raw WebSocket speaking the graphql-transport-ws subprotocol; resolves its close code. */
export function rawSocket(httpUrl: string): {
  socket: WebSocket;
  closed: Promise<{ code: number; reason: string }>;
  opened: Promise<void>;
} {
  const socket = new WebSocket(`${httpUrl.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const opened = new Promise<void>((resolve, reject) => {
    socket.on('open', () => resolve());
    socket.on('error', reject);
  });
  return { socket, closed, opened };
}
