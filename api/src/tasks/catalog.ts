import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { BadUserInputError } from '../graphql/errors.js';
import type { Allowed } from '../net/ssrf.js';
import { httpRequestTask } from './builtin/http-request.js';
import { noopTask } from './builtin/noop.js';
import { simulationTask } from './builtin/simulate.js';
import { DEFAULT_BACKOFF } from '../engine/retry.js';
import type { TaskBackoff, TaskDefinition, TaskHandler } from './task.js';

/** REMOTE: announced by a remote worker (registerWorker); this process has no handler for it. */
export type TaskSource = 'BUILT_IN' | 'MODULE' | 'REMOTE';

export interface CatalogEntry {
  definition: TaskDefinition;
  source: TaskSource;
  /** The module it came from (MODULE tasks). */
  file?: string;
  /** The payload schema, compiled once. */
  check?: ValidateFunction;
}

export interface CatalogOptions {
  /** WEBHOOK_ALLOWED_HOSTS: hosts `http.request` may reach even when they resolve to private addresses. */
  allowed: Allowed;
  /** SIMULATE_JOB_FAILURE as a share 0..1 of simulated runs that fail. */
  simulateFailureShare: number;
  /** Task names without a task run the seed's simulation (development, or SIMULATE_UNKNOWN_TASKS=true). */
  simulateUnknown: boolean;
}

/** A task that could not join the catalog: the start stops with this, naming the file. */
export class TaskDefinitionError extends Error {
  constructor(where: string, problem: string) {
    super(`${where}: ${problem}`);
    this.name = 'TaskDefinitionError';
  }
}

const wholeIn = (v: unknown, min: number, max: number) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;

/** What is wrong with a task's defaults, or null: the same ranges a job's input has. */
export function defaultsProblem(defaults: TaskDefinition['defaults']): string | null {
  if (defaults === undefined) return null;
  if (typeof defaults !== 'object' || defaults === null) return 'expected an object';
  const { maxAttempts, timeoutMs, backoff, queue } = defaults;
  if (maxAttempts !== undefined && !wholeIn(maxAttempts, 1, 100))
    return `maxAttempts: expected a whole number 1..100, got ${String(maxAttempts)}`;
  if (timeoutMs !== undefined && !wholeIn(timeoutMs, 1, 2_147_483_647))
    return `timeoutMs: expected a whole number of ms ≥ 1, got ${String(timeoutMs)}`;
  if (queue !== undefined && (typeof queue !== 'string' || !/^[a-z0-9._-]{1,64}$/.test(queue)))
    return `queue: expected 1–64 characters of [a-z0-9._-], got ${JSON.stringify(queue)}`;
  if (backoff !== undefined) {
    if (backoff.kind !== undefined && backoff.kind !== 'exponential' && backoff.kind !== 'fixed')
      return `backoff.kind: expected exponential or fixed, got ${JSON.stringify(backoff.kind)}`;
    for (const key of ['baseMs', 'maxMs'] as const) {
      const v = backoff[key];
      if (v !== undefined && !wholeIn(v, 0, 2_147_483_647)) return `backoff.${key}: expected a whole number of ms ≥ 0, got ${String(v)}`;
    }
    if (backoff.jitter !== undefined && typeof backoff.jitter !== 'boolean') return `backoff.jitter: expected true or false`;
  }
  return null;
}

/** `/a/3/b` → `.a[3].b`: how error fields name a place inside a payload. */
function pathOf(error: ErrorObject): string {
  const parts = error.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  if (error.keyword === 'required' && params.missingProperty) parts.push(params.missingProperty);
  if (error.keyword === 'additionalProperties' && params.additionalProperty) parts.push(params.additionalProperty);
  return parts.map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join('');
}

function reasonOf(error: ErrorObject): string {
  const params = error.params as { allowedValues?: unknown[]; additionalProperty?: string };
  if (error.keyword === 'enum' && params.allowedValues)
    return `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  if (error.keyword === 'required') return 'is required';
  if (error.keyword === 'additionalProperties') return 'is not allowed here (the schema lists no such property)';
  return error.message ?? 'does not match the schema';
}

/**
 * Every task this process knows: the built-ins and the modules of TASKS_DIR. Creating a job checks
 * its task and payload here; the runner takes its handler, defaults and backoff from here.
 */
export class TaskCatalog {
  private readonly entries = new Map<string, CatalogEntry>();
  private readonly ajv = new Ajv({ allErrors: false, strict: false });
  private readonly simulation: TaskDefinition;

  constructor(private readonly options: CatalogOptions) {
    this.simulation = simulationTask(options.simulateFailureShare);
    this.add(noopTask, 'BUILT_IN', 'built-in noop');
    this.add(httpRequestTask(options.allowed), 'BUILT_IN', 'built-in http.request');
  }

  /** Adds a task; a bad definition or a name taken already throws naming `where`. */
  add(definition: TaskDefinition, source: TaskSource, where: string): void {
    const { name, handler } = definition as Partial<TaskDefinition>;
    if (typeof name !== 'string' || name.length < 1 || name.length > 255) {
      throw new TaskDefinitionError(where, `expected a task name of 1..255 characters, got ${JSON.stringify(name)}`);
    }
    if (typeof handler !== 'function') throw new TaskDefinitionError(where, `task "${name}" has no handler function`);
    const problem = defaultsProblem(definition.defaults);
    if (problem) throw new TaskDefinitionError(where, `task "${name}" has bad defaults: ${problem}`);
    const taken = this.entries.get(name);
    if (taken) throw new TaskDefinitionError(where, `task "${name}" is defined twice (also in ${taken.file ?? 'the built-ins'})`);
    let check: ValidateFunction | undefined;
    if (definition.payload !== undefined) {
      try {
        check = this.ajv.compile(definition.payload);
      } catch (error) {
        throw new TaskDefinitionError(where, `task "${name}" has an invalid payload schema: ${(error as Error).message}`);
      }
    }
    this.entries.set(name, { definition, source, file: source === 'MODULE' ? where : undefined, check });
  }

  /** Compiles a remote task's payload schema; throws Ajv's complaint when it is no schema. */
  compileSchema(schema: JsonSchemaLike): ValidateFunction {
    return this.ajv.compile(schema);
  }

  /**
   * Replaces every remote task with these announcements (their schemas compiled by `compileSchema`).
   * A name this process has a task of its own for stays local: a remote worker serving it adds capacity.
   */
  setRemote(tasks: readonly { definition: Omit<TaskDefinition, 'handler'>; check?: ValidateFunction }[]): void {
    for (const [name, entry] of this.entries) if (entry.source === 'REMOTE') this.entries.delete(name);
    for (const { definition, check } of tasks) {
      if (this.entries.has(definition.name)) continue;
      this.entries.set(definition.name, { definition: { ...definition, handler: remoteOnly }, source: 'REMOTE', check });
    }
  }

  /** Whether only remote workers run this task (no process-local handler). */
  isRemote(taskName: string): boolean {
    return this.entries.get(taskName)?.source === 'REMOTE';
  }

  /** The tasks this process can run itself. */
  localNames(): string[] {
    return this.names().filter((name) => !this.isRemote(name));
  }

  get(name: string): CatalogEntry | undefined {
    return this.entries.get(name);
  }

  list(): CatalogEntry[] {
    return [...this.entries.values()].sort((a, b) => a.definition.name.localeCompare(b.definition.name));
  }

  /** Whether a job of this task runs the seed's simulation instead of a task of its own. */
  simulates(taskName: string): boolean {
    return !this.entries.has(taskName) && this.options.simulateUnknown;
  }

  /**
   * The handler for a job: its task's, or the simulation for a job made as one (`Job.simulated`) where
   * simulating is allowed; null when this process lacks the task (removed or renamed since).
   */
  handlerFor(taskName: string, simulated = false): TaskHandler | null {
    const entry = this.entries.get(taskName);
    if (entry?.source === 'REMOTE') return null;
    if (entry) return entry.definition.handler as TaskHandler;
    return simulated && this.options.simulateUnknown ? (this.simulation.handler as TaskHandler) : null;
  }

  names(): string[] {
    return [...this.entries.keys()].sort();
  }

  /** The task's defaults, for the fields a job's input leaves out. */
  defaultsOf(taskName: string): { maxAttempts?: number; timeoutMs?: number; queue: string } {
    const defaults = this.entries.get(taskName)?.definition.defaults ?? {};
    return { maxAttempts: defaults.maxAttempts, timeoutMs: defaults.timeoutMs, queue: defaults.queue ?? 'default' };
  }

  backoffOf(taskName: string): TaskBackoff {
    return { ...DEFAULT_BACKOFF, ...this.entries.get(taskName)?.definition.defaults?.backoff };
  }

  /**
   * createJob's check of a task name and payload (`path` is e.g. `input` or `inputs[3]`): an unknown
   * name is refused unless it is simulated; the task's own check runs first, then its schema.
   * Synchronous unless the task's own check is not: a batch of inputs costs no await per input.
   */
  validate(job: { taskName: string; payload: Record<string, unknown> | null | undefined }, path: string): void | Promise<void> {
    const at = (field: string) => (path ? `${path}.${field}` : field);
    const entry = this.entries.get(job.taskName);
    const payload = job.payload ?? {};
    if (!entry) {
      if (!this.options.simulateUnknown) {
        throw new BadUserInputError(
          at('taskName'),
          `expected a known task (${this.names().join(', ')}), got ${JSON.stringify(job.taskName)}`,
        );
      }
      return this.simulation.validate?.(payload, at('payload'));
    }
    const own = entry.definition.validate?.(payload, at('payload'));
    if (own instanceof Promise) return own.then(() => checkSchema(entry, job.taskName, payload, at));
    checkSchema(entry, job.taskName, payload, at);
  }
}

type JsonSchemaLike = Record<string, unknown> | boolean;

/** The handler of a remote task's entry: never called, since `handlerFor` answers null for it. */
const remoteOnly: TaskHandler = () => {
  throw new Error('a remote task runs in a remote worker, not here');
};

function checkSchema(entry: CatalogEntry, taskName: string, payload: Record<string, unknown>, at: (field: string) => string): void {
  if (!entry.check || entry.check(payload)) return;
  const error = entry.check.errors![0];
  throw new BadUserInputError(at(`payload${pathOf(error)}`), `${reasonOf(error)} (the "${taskName}" payload schema)`);
}
