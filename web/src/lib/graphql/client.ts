import { Client, fetchExchange, mapExchange, subscriptionExchange } from '@urql/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { auth } from '#lib/state/auth.svelte.ts';
import { connection } from '#lib/state/connection.svelte.ts';
import { reconnectDelayMs } from './backoff';

/** graphql-ws close codes that mean "who are you?": ask for a token rather than retry blindly. */
const AUTH_CLOSE_CODES = new Set([4401, 4403]);
/** Not one of graphql-ws's fatal codes, so the client reconnects at once with fresh connectionParams. */
const RESTART_CLOSE_CODE = 4205;

export const GRAPHQL_PATH = '/graphql';

function wsUrl(): string {
  const url = new URL(GRAPHQL_PATH, location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/** The dashboard's WebSocket: opened eagerly so the indicator is truthful; reconnects forever with backoff. */
function createSocket(): { ws: WsClient; restart: () => void } {
  let socket: WebSocket | undefined;
  const ws = createWsClient({
    url: wsUrl(),
    lazy: false,
    keepAlive: 10_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, reconnectDelayMs(retries))),
    connectionParams: () => (auth.authorization ? { authorization: auth.authorization } : {}),
    on: {
      connected: (s) => {
        socket = s as WebSocket;
        connection.socketOpened();
      },
      closed: (event) => {
        socket = undefined;
        connection.socketClosed();
        const code = (event as CloseEvent | undefined)?.code;
        if (code !== undefined && AUTH_CLOSE_CODES.has(code)) auth.ask('The live connection needs an API token.');
      },
    },
  });
  const restart = () => {
    if (socket?.readyState === WebSocket.OPEN) socket.close(RESTART_CLOSE_CODE, 'Client Restart');
  };
  return { ws, restart };
}

/** Reports reachability to the connection indicator: a thrown fetch means the server is gone. */
const trackedFetch: typeof fetch = async (input, init) => {
  try {
    const res = await fetch(input, init);
    connection.httpResult(true);
    return res;
  } catch (error) {
    connection.httpResult(false);
    throw error;
  }
};

export function createDashboardClient(): Client {
  const { ws, restart } = createSocket();
  // A new token: reconnect the socket with it and refetch what is on screen.
  auth.onChange(() => {
    restart();
    void connection.refreshAll();
  });
  return new Client({
    url: GRAPHQL_PATH,
    // Pages keep their own live state from subscriptions; every query goes to the network.
    requestPolicy: 'network-only',
    // POST only: Apollo's CSRF prevention refuses simple GET requests, and POST keeps queries out of access logs.
    preferGetMethod: false,
    fetch: trackedFetch,
    fetchOptions: (): RequestInit => ({ headers: auth.authorization ? { authorization: auth.authorization } : {} }),
    exchanges: [
      mapExchange({
        onError(error) {
          if (error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) {
            auth.ask(auth.token ? 'The API rejected the saved token.' : 'The API requires a token.');
          }
        },
      }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const operation = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(operation, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
}
