import { hostname } from 'node:os';
import { BadUserInputError, describe } from '../graphql/errors.js';
import { checkQueueName, DEFAULT_QUEUE } from '../queues/queue-name.js';
import { defaultsProblem, type TaskCatalog } from '../tasks/catalog.js';
import type { TaskDefinition } from '../tasks/task.js';
import { RemoteTasks } from './remote-tasks.js';
import type { RegisterWorkerInput } from './worker.types.js';
import type { RemoteTaskAnnouncement } from './worker-rows.sql.js';

const MAX_TASKS = 100;
const MAX_QUEUES = 100;

/** A registration after its checks: what the workers row stores and which queues become remote ones. */
export interface ParsedRegistration {
  name: string;
  host: string;
  version: string | null;
  concurrency: number;
  queues: string[];
  tasks: RemoteTaskAnnouncement[];
  /** The queues of tasks only remote workers run: local workers leave them alone. */
  remoteQueues: string[];
}

function text(field: string, value: unknown, max: number): string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > max) {
    throw new BadUserInputError(field, `expected 1–${max} characters, got ${describe(value)}`);
  }
  return value;
}

/** Checks a registration against the catalog (a task this process has is shared, any other is remote-only). */
export function parseRegistration(input: RegisterWorkerInput, catalog: TaskCatalog): ParsedRegistration {
  const name = text('input.name', input.name, 255);
  const concurrency = input.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1000) {
    throw new BadUserInputError('input.concurrency', `expected a whole number 1..1000, got ${describe(concurrency)}`);
  }
  if (!Array.isArray(input.tasks) || input.tasks.length < 1 || input.tasks.length > MAX_TASKS) {
    throw new BadUserInputError('input.tasks', `expected 1–${MAX_TASKS} tasks, got ${describe(input.tasks)}`);
  }
  const seen = new Set<string>();
  const tasks: RemoteTaskAnnouncement[] = [];
  const taskQueues: string[] = [];
  const remoteQueues = new Set<string>();
  input.tasks.forEach((task, i) => {
    const at = `input.tasks[${i}]`;
    const taskName = text(`${at}.name`, task.name, 255);
    if (seen.has(taskName)) throw new BadUserInputError(`${at}.name`, `task "${taskName}" is listed twice`);
    seen.add(taskName);
    const defaults = (task.defaults ?? null) as TaskDefinition['defaults'] | null;
    const problem = defaults ? defaultsProblem(stripNulls(defaults)) : null;
    if (problem) throw new BadUserInputError(`${at}.defaults.${problem.split(':')[0]}`, problem.slice(problem.indexOf(':') + 2));
    const schema = task.payloadSchema ?? null;
    if (schema !== null) {
      if (typeof schema !== 'boolean' && (typeof schema !== 'object' || Array.isArray(schema))) {
        throw new BadUserInputError(`${at}.payloadSchema`, `expected a JSON Schema object, got ${describe(schema)}`);
      }
      try {
        catalog.compileSchema(schema as Record<string, unknown>);
      } catch (error) {
        throw new BadUserInputError(`${at}.payloadSchema`, `not a valid JSON Schema: ${(error as Error).message}`);
      }
    }
    const announcement: RemoteTaskAnnouncement = {
      name: taskName,
      description: task.description ?? null,
      payloadSchema: schema as RemoteTaskAnnouncement['payloadSchema'],
      defaults: defaults ? (stripNulls(defaults) as Record<string, unknown>) : null,
    };
    const local = catalog.get(taskName);
    if (local && local.source !== 'REMOTE') {
      taskQueues.push(catalog.defaultsOf(taskName).queue);
    } else {
      const queue = RemoteTasks.queueOf(announcement);
      if (queue === DEFAULT_QUEUE) {
        throw new BadUserInputError(
          `${at}.defaults.queue`,
          `task "${taskName}" runs only in remote workers, so its jobs need a queue local workers do not serve (leave it out for "remote"), got "default"`,
        );
      }
      taskQueues.push(queue);
      remoteQueues.add(queue);
    }
    tasks.push(announcement);
  });
  let queues: string[];
  if (input.queues === undefined || input.queues === null) queues = [...new Set(taskQueues)];
  else {
    if (input.queues.length < 1 || input.queues.length > MAX_QUEUES) {
      throw new BadUserInputError('input.queues', `expected 1–${MAX_QUEUES} queue names, got ${describe(input.queues)}`);
    }
    queues = [...new Set(input.queues.map((q, i) => checkQueueName(`input.queues[${i}]`, q)))];
  }
  return {
    name,
    host: input.host ? text('input.host', input.host, 255) : hostname().slice(0, 255),
    version: input.version ? text('input.version', input.version, 64) : null,
    concurrency,
    queues,
    tasks,
    remoteQueues: [...remoteQueues],
  };
}

/** GraphQL input objects carry null for fields left out; a task module's defaults leave them undefined. */
function stripNulls<T extends object>(value: T): T {
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => [k, typeof v === 'object' && !Array.isArray(v) ? stripNulls(v as object) : v]),
  ) as T;
}
