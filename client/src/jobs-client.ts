import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import {
  CreateJobDocument,
  CreateJobsDocument,
  JobDocument,
  JobsDocument,
  JobUpdatedDocument,
  type CreateJobInput,
  type JobFieldsFragment,
  type JobsQueryVariables,
  type TypedDocumentString,
} from './generated/graphql.js';
import { graphqlUrl, request, type Endpoint } from './graphql.js';

/** Opens graphql-ws on the same URL as HTTP, with the token in `connectionParams`. */
export function subscriptions(endpoint: Endpoint): Client {
  return createClient({
    url: graphqlUrl(endpoint.url).replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: endpoint.token ? { authorization: `Bearer ${endpoint.token}` } : {},
    retryAttempts: Number.POSITIVE_INFINITY,
    // Reconnects wait 1 s doubling to 30 s (plus jitter), so a restarting server is not hammered.
    retryWait: (retries) =>
      new Promise((resolve) => setTimeout(resolve, Math.min(30_000, 1000 * 2 ** retries) * (0.5 + Math.random() / 2))),
    shouldRetry: () => true,
    lazy: true,
  });
}

/** Runs a generated subscription; returns its stop function. */
export function subscribe<T, V>(
  client: Client,
  document: TypedDocumentString<T, V>,
  variables: V,
  next: (data: T) => void,
  error: (e: unknown) => void = () => {},
): () => void {
  return client.subscribe<T>(
    { query: document.toString(), variables: variables as Record<string, unknown> },
    {
      next: (message) => {
        if (message.data) next(message.data);
      },
      error,
      complete: () => {},
    },
  );
}

/** Creates and watches jobs: the typed calls of another service that hands work to the scheduler. */
export class JobsClient {
  private ws: Client | null = null;

  constructor(private readonly endpoint: Endpoint) {}

  async createJob(input: CreateJobInput): Promise<JobFieldsFragment> {
    return (await request(this.endpoint, CreateJobDocument, { input })).createJob;
  }

  /** Every job or none (one transaction); at most 1,000 a call. */
  async createJobs(inputs: CreateJobInput[]): Promise<JobFieldsFragment[]> {
    return (await request(this.endpoint, CreateJobsDocument, { inputs })).createJobs;
  }

  async job(id: string | number): Promise<JobFieldsFragment | null> {
    return (await request(this.endpoint, JobDocument, { id: String(id) })).job ?? null;
  }

  async jobs(variables: JobsQueryVariables = {}): Promise<{ total: number; jobs: JobFieldsFragment[] }> {
    return (await request(this.endpoint, JobsDocument, variables)).jobs;
  }

  /** Every change of one job (or of any job without an id), live; returns the stop function. */
  onJobUpdated(id: string | number | null, next: (job: JobFieldsFragment) => void): () => void {
    return subscribe(this.socket(), JobUpdatedDocument, { id: id === null ? null : String(id) }, (data) => next(data.jobUpdated));
  }

  async close(): Promise<void> {
    await this.ws?.dispose();
    this.ws = null;
  }

  private socket(): Client {
    return (this.ws ??= subscriptions(this.endpoint));
  }
}
