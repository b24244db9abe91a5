/**
 * The deployed benchmark's task, loaded by the API and the worker through TASKS_DIR=bench/deployed/tasks
 * as any operator's task module would be: `bench.noop` does nothing and succeeds at once. (With
 * NODE_ENV=production a task name without a task is refused at creation, so the benchmark brings its own
 * rather than turning on SIMULATE_UNKNOWN_TASKS, whose simulation sleeps 1–5 s per job.)
 */
import type { TaskDefinition } from '@jobs/api/tasks';

const benchNoop: TaskDefinition = {
  name: 'bench.noop',
  description: 'Does nothing and succeeds at once: the deployed benchmark (bench/deployed).',
  payload: { type: 'object' },
  handler: () => null,
};

export default benchNoop;
