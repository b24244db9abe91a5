import { Client, fetchExchange, mapExchange, subscriptionExchange } from '@urql/core';
import { auth } from '#lib/state/auth.svelte.ts';
import { connection } from '#lib/state/connection.svelte.ts';
import { LiveSocket } from './live-socket.ts';

export const GRAPHQL_PATH = '/graphql';

function wsUrl(): string {
  const url = new URL(GRAPHQL_PATH, location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
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
  const socket = new LiveSocket(wsUrl());
  // A new token: reconnect the socket with it and refetch what is on screen.
  auth.onChange(() => {
    socket.restart();
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
            auth.ask();
          }
        },
      }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const operation = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              const unsubscribe = socket.subscribe(operation, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
}
