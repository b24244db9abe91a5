/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type CreateJobInput = {
  /** Groups jobs (a customer id, say) for the queue's keyConcurrency limit; 1–128 characters */
  concurrencyKey?: string | null | undefined;
  /** A second create with the same key returns the first job */
  idempotencyKey?: string | null | undefined;
  /** 1..100, default 3 */
  maxAttempts?: number | null | undefined;
  /** A JSON object, at most 64 KiB serialized */
  payload?: unknown;
  priority?: Priority | null | undefined;
  /** Queue to wait in: 1–64 characters of [a-z0-9._-]; default the task's default queue, else `default` */
  queue?: string | null | undefined;
  /** When the job becomes due; default now */
  runAt?: string | null | undefined;
  taskName: string;
  /** Milliseconds a run may take before it fails */
  timeoutMs?: number | null | undefined;
  /** Overrides OUTBOUND_WEBHOOK for this job */
  webhookUrl?: string | null | undefined;
};

export type JobCompletionInput = {
  result?: unknown;
  /** The lease token from claimJobs */
  token: string;
};

export type JobFailureInput = {
  /** Becomes the job's lastError (cut at 4,000 characters) */
  message: string;
  /** Kept in Job.errors up to 8 KiB */
  stack?: string | null | undefined;
};

export type JobFilter = {
  priority?: Priority | null | undefined;
  /** Exact queue name */
  queue?: string | null | undefined;
  /** Matches task name and payload text */
  search?: string | null | undefined;
  status?: JobStatus | null | undefined;
  /** Exact task name */
  taskName?: string | null | undefined;
};

export type JobLogLevel =
  | 'DEBUG'
  | 'ERROR'
  | 'INFO'
  | 'WARN';

export type JobLogLineInput = {
  data?: unknown;
  level?: JobLogLevel | null | undefined;
  message: string;
};

export type JobSort =
  | 'CREATED_AT_ASC'
  | 'CREATED_AT_DESC'
  | 'PRIORITY_DESC'
  | 'RUN_AT_ASC'
  | 'UPDATED_AT_DESC';

export type JobStatus =
  | 'CANCELLED'
  | 'COMPLETED'
  | 'FAILED'
  | 'PENDING'
  | 'RUNNING';

/** OK: still held (renewed); LOST: taken back, finished or deleted — stop and forget it; CANCEL_REQUESTED: the job was cancelled — abort the handler */
export type LeaseState =
  | 'CANCEL_REQUESTED'
  | 'LOST'
  | 'OK';

export type Priority =
  | 'HIGH'
  | 'LOW'
  | 'MEDIUM';

export type RegisterWorkerInput = {
  /** Leases it may hold at once, 1..1000 */
  concurrency?: number | null | undefined;
  /** Its host name, for the workers page */
  host?: string | null | undefined;
  /** 1–255 characters; shown on the workers page */
  name: string;
  /** Queues to claim from; default the queues of its tasks' defaults */
  queues?: Array<string> | null | undefined;
  /** 1–100 tasks */
  tasks: Array<RemoteTaskInput>;
  /** Its version, for the workers page */
  version?: string | null | undefined;
};

export type RemoteTaskBackoffInput = {
  baseMs?: number | null | undefined;
  jitter?: boolean | null | undefined;
  /** exponential or fixed */
  kind?: string | null | undefined;
  maxMs?: number | null | undefined;
};

/** A task's defaults as a remote worker announces them (the ranges of a task module's defaults) */
export type RemoteTaskDefaultsInput = {
  backoff?: RemoteTaskBackoffInput | null | undefined;
  maxAttempts?: number | null | undefined;
  /** Where its jobs wait; a task only remote workers run: default `remote`, never `default` */
  queue?: string | null | undefined;
  timeoutMs?: number | null | undefined;
};

/** A task a remote worker runs */
export type RemoteTaskInput = {
  defaults?: RemoteTaskDefaultsInput | null | undefined;
  description?: string | null | undefined;
  name: string;
  /** JSON Schema (draft-07) of the payload; createJob checks payloads against it */
  payloadSchema?: unknown;
};

export type LeasedJobFragment = { id: string, taskName: string, queue: string, payload: unknown, priority: Priority, status: JobStatus, attempts: number, maxAttempts: number, timeoutMs: number | null, runAt: string, createdAt: string, updatedAt: string, startedAt: string | null, concurrencyKey: string | null, idempotencyKey: string | null, scheduleId: string | null, webhookUrl: string | null };

export type JobFieldsFragment = { id: string, taskName: string, queue: string, payload: unknown, priority: Priority, status: JobStatus, attempts: number, maxAttempts: number, lastError: string | null, progress: number | null, result: unknown, runAt: string, createdAt: string, updatedAt: string, startedAt: string | null, completedAt: string | null, runDurationMs: number | null };

export type RegisterWorkerMutationVariables = Exact<{
  input: RegisterWorkerInput;
}>;


export type RegisterWorkerMutation = { registerWorker: string };

export type ClaimJobsMutationVariables = Exact<{
  workerId: string | number;
  limit?: number | null | undefined;
  leaseMs?: number | null | undefined;
  waitMs?: number | null | undefined;
  queues?: Array<string> | string | null | undefined;
  tasks?: Array<string> | string | null | undefined;
}>;


export type ClaimJobsMutation = { claimJobs: Array<{ token: string, expiresAt: string, job: { id: string, taskName: string, queue: string, payload: unknown, priority: Priority, status: JobStatus, attempts: number, maxAttempts: number, timeoutMs: number | null, runAt: string, createdAt: string, updatedAt: string, startedAt: string | null, concurrencyKey: string | null, idempotencyKey: string | null, scheduleId: string | null, webhookUrl: string | null } }> };

export type CompleteAndClaimJobsMutationVariables = Exact<{
  completions: Array<JobCompletionInput> | JobCompletionInput;
  workerId: string | number;
  limit?: number | null | undefined;
  leaseMs?: number | null | undefined;
}>;


export type CompleteAndClaimJobsMutation = { completeJobs: Array<{ token: string, error: string | null }>, claimJobs: Array<{ token: string, expiresAt: string, job: { id: string, taskName: string, queue: string, payload: unknown, priority: Priority, status: JobStatus, attempts: number, maxAttempts: number, timeoutMs: number | null, runAt: string, createdAt: string, updatedAt: string, startedAt: string | null, concurrencyKey: string | null, idempotencyKey: string | null, scheduleId: string | null, webhookUrl: string | null } }> };

export type RenewJobLeasesMutationVariables = Exact<{
  tokens: Array<string> | string;
}>;


export type RenewJobLeasesMutation = { renewJobLeases: Array<{ token: string, status: LeaseState, expiresAt: string | null }> };

export type CompleteJobsMutationVariables = Exact<{
  completions: Array<JobCompletionInput> | JobCompletionInput;
}>;


export type CompleteJobsMutation = { completeJobs: Array<{ token: string, error: string | null }> };

export type FailJobMutationVariables = Exact<{
  token: string;
  error: JobFailureInput;
  retry?: boolean | null | undefined;
  snoozeMs?: number | null | undefined;
}>;


export type FailJobMutation = { failJob: { id: string, status: JobStatus } };

export type ReportJobProgressMutationVariables = Exact<{
  token: string;
  progress: number;
}>;


export type ReportJobProgressMutation = { reportJobProgress: boolean };

export type AppendJobLogsMutationVariables = Exact<{
  token: string;
  lines: Array<JobLogLineInput> | JobLogLineInput;
}>;


export type AppendJobLogsMutation = { appendJobLogs: number };

export type WorkerHeartbeatMutationVariables = Exact<{
  workerId: string | number;
}>;


export type WorkerHeartbeatMutation = { workerHeartbeat: boolean };

export type LeaseEventsSubscriptionVariables = Exact<{
  workerId: string | number;
}>;


export type LeaseEventsSubscription = { leaseEvents: { token: string, status: LeaseState } };

export type CreateJobMutationVariables = Exact<{
  input: CreateJobInput;
}>;


export type CreateJobMutation = { createJob: { id: string, taskName: string, queue: string, payload: unknown, priority: Priority, status: JobStatus, attempts: number, maxAttempts: number, lastError: string | null, progress: number | null, result: unknown, runAt: string, createdAt: string, updatedAt: string, startedAt: string | null, completedAt: string | null, runDurationMs: number | null } };

export type CreateJobsMutationVariables = Exact<{
  inputs: Array<CreateJobInput> | CreateJobInput;
}>;


export type CreateJobsMutation = { createJobs: Array<{ id: string, taskName: string, queue: string, payload: unknown, priority: Priority, status: JobStatus, attempts: number, maxAttempts: number, lastError: string | null, progress: number | null, result: unknown, runAt: string, createdAt: string, updatedAt: string, startedAt: string | null, completedAt: string | null, runDurationMs: number | null }> };

export type JobQueryVariables = Exact<{
  id: string | number;
}>;


export type JobQuery = { job: { id: string, taskName: string, queue: string, payload: unknown, priority: Priority, status: JobStatus, attempts: number, maxAttempts: number, lastError: string | null, progress: number | null, result: unknown, runAt: string, createdAt: string, updatedAt: string, startedAt: string | null, completedAt: string | null, runDurationMs: number | null } | null };

export type JobsQueryVariables = Exact<{
  filter?: JobFilter | null | undefined;
  limit?: number | null | undefined;
  offset?: number | null | undefined;
  sort?: JobSort | null | undefined;
}>;


export type JobsQuery = { jobs: { total: number, jobs: Array<{ id: string, taskName: string, queue: string, payload: unknown, priority: Priority, status: JobStatus, attempts: number, maxAttempts: number, lastError: string | null, progress: number | null, result: unknown, runAt: string, createdAt: string, updatedAt: string, startedAt: string | null, completedAt: string | null, runDurationMs: number | null }> } };

export type JobUpdatedSubscriptionVariables = Exact<{
  id?: string | number | null | undefined;
}>;


export type JobUpdatedSubscription = { jobUpdated: { id: string, taskName: string, queue: string, payload: unknown, priority: Priority, status: JobStatus, attempts: number, maxAttempts: number, lastError: string | null, progress: number | null, result: unknown, runAt: string, createdAt: string, updatedAt: string, startedAt: string | null, completedAt: string | null, runDurationMs: number | null } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const LeasedJobFragmentDoc = new TypedDocumentString(`
    fragment LeasedJob on Job {
  id
  taskName
  queue
  payload
  priority
  status
  attempts
  maxAttempts
  timeoutMs
  runAt
  createdAt
  updatedAt
  startedAt
  concurrencyKey
  idempotencyKey
  scheduleId
  webhookUrl
}
    `, {"fragmentName":"LeasedJob"}) as unknown as TypedDocumentString<LeasedJobFragment, unknown>;
export const JobFieldsFragmentDoc = new TypedDocumentString(`
    fragment JobFields on Job {
  id
  taskName
  queue
  payload
  priority
  status
  attempts
  maxAttempts
  lastError
  progress
  result
  runAt
  createdAt
  updatedAt
  startedAt
  completedAt
  runDurationMs
}
    `, {"fragmentName":"JobFields"}) as unknown as TypedDocumentString<JobFieldsFragment, unknown>;
export const RegisterWorkerDocument = new TypedDocumentString(`
    mutation RegisterWorker($input: RegisterWorkerInput!) {
  registerWorker(input: $input)
}
    `) as unknown as TypedDocumentString<RegisterWorkerMutation, RegisterWorkerMutationVariables>;
export const ClaimJobsDocument = new TypedDocumentString(`
    mutation ClaimJobs($workerId: ID!, $limit: Int, $leaseMs: Int, $waitMs: Int, $queues: [String!], $tasks: [String!]) {
  claimJobs(
    workerId: $workerId
    limit: $limit
    leaseMs: $leaseMs
    waitMs: $waitMs
    queues: $queues
    tasks: $tasks
  ) {
    token
    expiresAt
    job {
      ...LeasedJob
    }
  }
}
    fragment LeasedJob on Job {
  id
  taskName
  queue
  payload
  priority
  status
  attempts
  maxAttempts
  timeoutMs
  runAt
  createdAt
  updatedAt
  startedAt
  concurrencyKey
  idempotencyKey
  scheduleId
  webhookUrl
}`) as unknown as TypedDocumentString<ClaimJobsMutation, ClaimJobsMutationVariables>;
export const CompleteAndClaimJobsDocument = new TypedDocumentString(`
    mutation CompleteAndClaimJobs($completions: [JobCompletionInput!]!, $workerId: ID!, $limit: Int, $leaseMs: Int) {
  completeJobs(completions: $completions) {
    token
    error
  }
  claimJobs(workerId: $workerId, limit: $limit, leaseMs: $leaseMs, waitMs: 0) {
    token
    expiresAt
    job {
      ...LeasedJob
    }
  }
}
    fragment LeasedJob on Job {
  id
  taskName
  queue
  payload
  priority
  status
  attempts
  maxAttempts
  timeoutMs
  runAt
  createdAt
  updatedAt
  startedAt
  concurrencyKey
  idempotencyKey
  scheduleId
  webhookUrl
}`) as unknown as TypedDocumentString<CompleteAndClaimJobsMutation, CompleteAndClaimJobsMutationVariables>;
export const RenewJobLeasesDocument = new TypedDocumentString(`
    mutation RenewJobLeases($tokens: [String!]!) {
  renewJobLeases(tokens: $tokens) {
    token
    status
    expiresAt
  }
}
    `) as unknown as TypedDocumentString<RenewJobLeasesMutation, RenewJobLeasesMutationVariables>;
export const CompleteJobsDocument = new TypedDocumentString(`
    mutation CompleteJobs($completions: [JobCompletionInput!]!) {
  completeJobs(completions: $completions) {
    token
    error
  }
}
    `) as unknown as TypedDocumentString<CompleteJobsMutation, CompleteJobsMutationVariables>;
export const FailJobDocument = new TypedDocumentString(`
    mutation FailJob($token: String!, $error: JobFailureInput!, $retry: Boolean, $snoozeMs: Int) {
  failJob(token: $token, error: $error, retry: $retry, snoozeMs: $snoozeMs) {
    id
    status
  }
}
    `) as unknown as TypedDocumentString<FailJobMutation, FailJobMutationVariables>;
export const ReportJobProgressDocument = new TypedDocumentString(`
    mutation ReportJobProgress($token: String!, $progress: Float!) {
  reportJobProgress(token: $token, progress: $progress)
}
    `) as unknown as TypedDocumentString<ReportJobProgressMutation, ReportJobProgressMutationVariables>;
export const AppendJobLogsDocument = new TypedDocumentString(`
    mutation AppendJobLogs($token: String!, $lines: [JobLogLineInput!]!) {
  appendJobLogs(token: $token, lines: $lines)
}
    `) as unknown as TypedDocumentString<AppendJobLogsMutation, AppendJobLogsMutationVariables>;
export const WorkerHeartbeatDocument = new TypedDocumentString(`
    mutation WorkerHeartbeat($workerId: ID!) {
  workerHeartbeat(workerId: $workerId)
}
    `) as unknown as TypedDocumentString<WorkerHeartbeatMutation, WorkerHeartbeatMutationVariables>;
export const LeaseEventsDocument = new TypedDocumentString(`
    subscription LeaseEvents($workerId: ID!) {
  leaseEvents(workerId: $workerId) {
    token
    status
  }
}
    `) as unknown as TypedDocumentString<LeaseEventsSubscription, LeaseEventsSubscriptionVariables>;
export const CreateJobDocument = new TypedDocumentString(`
    mutation CreateJob($input: CreateJobInput!) {
  createJob(input: $input) {
    ...JobFields
  }
}
    fragment JobFields on Job {
  id
  taskName
  queue
  payload
  priority
  status
  attempts
  maxAttempts
  lastError
  progress
  result
  runAt
  createdAt
  updatedAt
  startedAt
  completedAt
  runDurationMs
}`) as unknown as TypedDocumentString<CreateJobMutation, CreateJobMutationVariables>;
export const CreateJobsDocument = new TypedDocumentString(`
    mutation CreateJobs($inputs: [CreateJobInput!]!) {
  createJobs(inputs: $inputs) {
    ...JobFields
  }
}
    fragment JobFields on Job {
  id
  taskName
  queue
  payload
  priority
  status
  attempts
  maxAttempts
  lastError
  progress
  result
  runAt
  createdAt
  updatedAt
  startedAt
  completedAt
  runDurationMs
}`) as unknown as TypedDocumentString<CreateJobsMutation, CreateJobsMutationVariables>;
export const JobDocument = new TypedDocumentString(`
    query Job($id: ID!) {
  job(id: $id) {
    ...JobFields
  }
}
    fragment JobFields on Job {
  id
  taskName
  queue
  payload
  priority
  status
  attempts
  maxAttempts
  lastError
  progress
  result
  runAt
  createdAt
  updatedAt
  startedAt
  completedAt
  runDurationMs
}`) as unknown as TypedDocumentString<JobQuery, JobQueryVariables>;
export const JobsDocument = new TypedDocumentString(`
    query Jobs($filter: JobFilter, $limit: Int, $offset: Int, $sort: JobSort) {
  jobs(filter: $filter, limit: $limit, offset: $offset, sort: $sort) {
    total
    jobs {
      ...JobFields
    }
  }
}
    fragment JobFields on Job {
  id
  taskName
  queue
  payload
  priority
  status
  attempts
  maxAttempts
  lastError
  progress
  result
  runAt
  createdAt
  updatedAt
  startedAt
  completedAt
  runDurationMs
}`) as unknown as TypedDocumentString<JobsQuery, JobsQueryVariables>;
export const JobUpdatedDocument = new TypedDocumentString(`
    subscription JobUpdated($id: ID) {
  jobUpdated(id: $id) {
    ...JobFields
  }
}
    fragment JobFields on Job {
  id
  taskName
  queue
  payload
  priority
  status
  attempts
  maxAttempts
  lastError
  progress
  result
  runAt
  createdAt
  updatedAt
  startedAt
  completedAt
  runDurationMs
}`) as unknown as TypedDocumentString<JobUpdatedSubscription, JobUpdatedSubscriptionVariables>;