import { registerEnumType } from 'type-graphql';

/** Stored as a small integer so `ORDER BY priority DESC` means HIGH first and can use an index. */
export enum Priority {
  LOW = 0,
  MEDIUM = 1,
  HIGH = 2,
}

export enum JobStatus {
  PENDING = 'PENDING',
  RUNNING = 'RUNNING',
  COMPLETED = 'COMPLETED',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}

export enum JobSort {
  CREATED_AT_DESC = 'CREATED_AT_DESC',
  CREATED_AT_ASC = 'CREATED_AT_ASC',
  PRIORITY_DESC = 'PRIORITY_DESC',
  RUN_AT_ASC = 'RUN_AT_ASC',
  UPDATED_AT_DESC = 'UPDATED_AT_DESC',
}

/** Attempts a job gets when neither its input nor its task's defaults say; the column's default too. */
export const DEFAULT_MAX_ATTEMPTS = 3;

export const FINISHED_STATUSES: readonly JobStatus[] = [JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED];

registerEnumType(Priority, { name: 'Priority' });
registerEnumType(JobStatus, { name: 'JobStatus' });
registerEnumType(JobSort, { name: 'JobSort' });
