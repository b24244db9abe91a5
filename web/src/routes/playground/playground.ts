// Loaded only when /playground opens: GraphiQL (React + Monaco) is most of the app's JavaScript.
import 'graphiql/style.css';
import './monaco-workers.ts';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { createClient } from 'graphql-ws';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';

const DEFAULT_QUERY = `# Queries and mutations go over HTTP, subscriptions over graphql-ws. Try:
#   subscription { jobStats { pending running completed failed } }
query RecentJobs {
  jobs(limit: 5) {
    total
    jobs { id taskName status progress createdAt }
  }
}
`;

export interface PlaygroundOptions {
  /** `Bearer …` when the dashboard holds a token; sent over HTTP and as connectionParams. */
  authorization: string | undefined;
  dark: boolean;
}

/** Renders GraphiQL into `element`; returns the cleanup (unmount, close the socket). */
export function mountPlayground(element: HTMLElement, { authorization, dark }: PlaygroundOptions): () => void {
  const url = new URL('/graphql', location.href);
  const wsUrl = `${url.protocol === 'https:' ? 'wss:' : 'ws:'}//${url.host}${url.pathname}`;
  const wsClient = createClient({
    url: wsUrl,
    connectionParams: () => (authorization ? { authorization } : {}),
  });
  const fetcher = createGraphiQLFetcher({
    url: url.pathname,
    wsClient,
    headers: authorization ? { authorization } : undefined,
  });
  const root = createRoot(element);
  root.render(createElement(GraphiQL, { fetcher, defaultQuery: DEFAULT_QUERY, forcedTheme: dark ? 'dark' : 'light' }));
  return () => {
    root.unmount();
    void wsClient.dispose();
  };
}
