import type { Allowed } from '../../net/ssrf.js';
import type { NewJob } from '../../jobs/job.validate.js';
import { httpRequestTask } from './http-request.js';
import { noopTask } from './noop.js';
import { simulationTask } from './simulate.js';
import type { Task, TaskHandler } from './task.js';

export type { Task, TaskContext, TaskHandler } from './task.js';

export interface TaskOptions {
  /** WEBHOOK_ALLOWED_HOSTS: hosts `http.request` may reach even when they resolve to private addresses. */
  allowed: Allowed;
  /** SIMULATE_JOB_FAILURE as a share 0..1 of simulated runs that fail. */
  simulateFailureShare: number;
}

/**
 * The one place task names map to handlers. To add a task, write its handler in this folder and add
 * a line here; any taskName not listed runs the seed's simulation.
 */
export function builtInTasks(options: TaskOptions): Record<string, Task> {
  return {
    noop: noopTask,
    'http.request': httpRequestTask(options.allowed),
  };
}

export class TaskRegistry {
  private readonly tasks: Map<string, Task>;

  constructor(
    tasks: Record<string, Task>,
    private readonly fallback: Task,
  ) {
    this.tasks = new Map(Object.entries(tasks));
  }

  static create(options: TaskOptions, extra: Record<string, Task> = {}): TaskRegistry {
    return new TaskRegistry({ ...builtInTasks(options), ...extra }, simulationTask(options.simulateFailureShare));
  }

  handlerFor(taskName: string): TaskHandler {
    return (this.tasks.get(taskName) ?? this.fallback).handler;
  }

  /** createJob's check of a payload against its task (`path` is e.g. `input` or `inputs[3]`). */
  validate(job: Pick<NewJob, 'taskName' | 'payload'>, path: string): void | Promise<void> {
    const task = this.tasks.get(job.taskName) ?? this.fallback;
    return task.validatePayload?.(job.payload, path ? `${path}.payload` : 'payload');
  }
}
