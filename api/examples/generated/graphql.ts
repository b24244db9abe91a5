/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
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

export type JobStatus =
  | 'CANCELLED'
  | 'COMPLETED'
  | 'FAILED'
  | 'PENDING'
  | 'RUNNING';

export type Priority =
  | 'HIGH'
  | 'LOW'
  | 'MEDIUM';

export type WatchJobsSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type WatchJobsSubscription = { jobUpdated: { id: string, taskName: string, status: JobStatus, progress: number | null, attempts: number, lastError: string | null } };

export type EnqueueJobMutationVariables = Exact<{
  input: CreateJobInput;
}>;


export type EnqueueJobMutation = { createJob: { id: string, status: JobStatus } };


export const WatchJobsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"WatchJobs"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"jobUpdated"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"taskName"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"progress"}},{"kind":"Field","name":{"kind":"Name","value":"attempts"}},{"kind":"Field","name":{"kind":"Name","value":"lastError"}}]}}]}}]} as unknown as DocumentNode<WatchJobsSubscription, WatchJobsSubscriptionVariables>;
export const EnqueueJobDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"EnqueueJob"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateJobInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createJob"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]} as unknown as DocumentNode<EnqueueJobMutation, EnqueueJobMutationVariables>;