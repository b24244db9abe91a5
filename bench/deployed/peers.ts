/**
 * The in-process side of `npm run bench:deployed`: BullMQ, graphile-worker and pg-boss (bench/peers/*.mjs)
 * and our own `JobsService.create` (bench/engine/ours.ts, the internal enqueue), each run by
 * bench/lib/driver.ts in a process of its own, with NODE_ENV=production, exactly as `npm run bench` runs them.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { median } from '../lib/stats.mjs';
import { adopt, ROOT } from './processes.ts';

export interface DriverTask {
  id: string;
  workload: 'enqueue' | 'drain' | 'latency';
  n: number;
  batch?: number;
  concurrency?: number;
}

export interface InProcessSystem {
  key: string;
  label: string;
  /** What it does not do that the deployed product does, shown next to its figures. */
  lacks: string;
  module: string;
  options?: Record<string, unknown>;
  tasks: DriverTask[];
}

export interface DriverResult {
  version?: string;
  settings?: unknown;
  figures: Record<string, number | null>;
  samples: { id: string; run: number; value?: number; ms?: number }[];
  errors: { id: string; run: number; message: string }[];
  exitCode: number | null;
}

const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

/** Runs one system's plan in bench/lib/driver.ts; medians of its runs per task. */
export function runInProcess(
  system: InProcessSystem,
  { runs, settleMs, timeoutMs }: { runs: number; settleMs: number; timeoutMs: number },
): Promise<DriverResult> {
  const plan = { module: system.module, options: system.options, tasks: system.tasks, runs, settleMs, timeoutMs };
  const child = spawn(
    TSX,
    ['--tsconfig', join(ROOT, 'api', 'tsconfig.json'), join(ROOT, 'bench', 'lib', 'driver.ts'), JSON.stringify(plan)],
    {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  adopt(system.key, child);
  const out: DriverResult = { figures: {}, samples: [], errors: [], exitCode: null };
  let buffer = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    buffer += d;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (!line.startsWith('RESULT ')) continue;
      const r = JSON.parse(line.slice(7));
      if (r.kind === 'info') Object.assign(out, { version: r.version, settings: r.settings });
      else if (r.kind === 'sample') {
        out.samples.push(r);
        process.stderr.write(`  ${system.key} ${r.id} run ${r.run}: ${Math.round(r.value)} jobs/s\n`);
      } else {
        out.errors.push(r);
        process.stderr.write(`  ${system.key} ${r.id} run ${r.run}: ERROR ${r.message}\n`);
      }
    }
  });
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      out.exitCode = code;
      for (const task of system.tasks) out.figures[task.id] = median(out.samples.filter((s) => s.id === task.id).map((s) => s.value));
      resolve(out);
    }),
  );
}
