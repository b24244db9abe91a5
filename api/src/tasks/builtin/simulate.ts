import { setTimeout as sleep } from 'node:timers/promises';
import { BadUserInputError, describe } from '../../graphql/errors.js';
import type { TaskDefinition } from '../task.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const STEPS = 10;

/** The name the simulation goes by in logs; jobs keep their own taskName. */
export const SIMULATION = 'simulation';

/**
 * The seed's simulation, used in development for every taskName without a task of its own: runs
 * `payload.durationMs` ms (default a random 1–5 s), reports progress every 10 %, and fails when
 * `payload.fail === true` or, for the share `SIMULATE_JOB_FAILURE` (1 = always), at random.
 */
export function simulationTask(failureShare: number, random: () => number = Math.random): TaskDefinition {
  return {
    name: SIMULATION,
    description: 'Any task name without a task of its own, in development: runs payload.durationMs ms and may fail.',
    async handler(job, { signal, progress }) {
      const payload = job.payload ?? {};
      const durationMs = typeof payload.durationMs === 'number' ? payload.durationMs : 1000 + Math.floor(random() * 4000);
      const fails = payload.fail === true || (failureShare > 0 && random() < failureShare);
      for (let step = 1; step <= STEPS; step++) {
        await sleep(durationMs / STEPS, undefined, { signal });
        if (step < STEPS) progress(step / STEPS);
      }
      if (fails) throw new Error(`simulated failure of "${job.taskName}" after ${durationMs} ms`);
      return { simulated: true, durationMs };
    },
    validate(payload, field) {
      const d = payload.durationMs;
      if (d !== undefined && (typeof d !== 'number' || !Number.isInteger(d) || d < 0 || d > DAY_MS)) {
        throw new BadUserInputError(`${field}.durationMs`, `expected whole milliseconds 0..${DAY_MS}, got ${describe(d)}`);
      }
    },
  };
}
