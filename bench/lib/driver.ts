/**
 * Runs one system's share of a benchmark plan in its own process (so no system shares an event loop,
 * a connection pool or garbage with another) and prints one `RESULT {json}` line per measured run.
 *
 *   tsx --tsconfig api/tsconfig.json bench/lib/driver.ts '<plan json>'
 *
 * A plan names the system's module (it exports `open(options)` → { version, enqueue, drain, latency?,
 * close }) and the tasks, each run `runs` times with a pause between runs for the CPU to settle
 * (InnoDB purge and autovacuum keep working after a run).
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { sleep } from './measure.mjs';
import { percentile } from './stats.mjs';

interface Task {
  id: string;
  workload: 'enqueue' | 'drain' | 'latency';
  n: number;
  batch?: number;
  concurrency?: number;
  rate?: number;
}
interface Plan {
  module: string;
  options?: Record<string, unknown>;
  tasks: Task[];
  runs: number;
  settleMs: number;
  timeoutMs: number;
}

const plan = JSON.parse(process.argv[2]) as Plan;
const emit = (line: object) => process.stdout.write(`RESULT ${JSON.stringify(line)}\n`);

const mod = await import(pathToFileURL(resolve(import.meta.dirname, '..', plan.module)).href);
const system = await mod.open({ ...plan.options, timeoutMs: plan.timeoutMs });
emit({ kind: 'info', version: system.version, settings: system.settings });

for (const task of plan.tasks) {
  for (let run = 1; run <= plan.runs; run++) {
    await sleep(plan.settleMs);
    try {
      if (task.workload === 'enqueue') {
        const { ms } = await system.enqueue({ n: task.n, batch: task.batch ?? 1 });
        emit({ kind: 'sample', id: task.id, run, value: (task.n * 1000) / ms, ms });
      } else if (task.workload === 'drain') {
        const { ms } = await system.drain({ n: task.n, concurrency: task.concurrency ?? 1 });
        emit({ kind: 'sample', id: task.id, run, value: (task.n * 1000) / ms, ms });
      } else {
        const { samples } = await system.latency({ n: task.n, rate: task.rate ?? 100, concurrency: task.concurrency ?? 10 });
        emit({ kind: 'sample', id: task.id, run, p50: percentile(samples, 50), p99: percentile(samples, 99) });
      }
    } catch (error) {
      emit({ kind: 'error', id: task.id, run, message: error instanceof Error ? error.message : String(error) });
    }
  }
}
await system.close();
process.exit(0);
