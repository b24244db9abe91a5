import { defineTask } from '../task.js';

/** Does nothing and succeeds: for health probes and engine benchmarks. */
export const noopTask = defineTask({
  name: 'noop',
  description: 'Does nothing and succeeds at once: for health probes and benchmarks.',
  payload: { type: 'object' },
  handler: () => null,
});
