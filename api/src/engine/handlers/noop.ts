import type { Task } from './task.js';

/** Does nothing and succeeds: for health probes and engine benchmarks. */
export const noopTask: Task = {
  handler: () => null,
};
