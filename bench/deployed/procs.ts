/**
 * What each process of the deployed benchmark costs, read from /proc (Linux): CPU time (utime + stime of
 * every thread, /proc/<pid>/stat) between two readings, and resident memory (VmRSS, /proc/<pid>/status)
 * sampled every 200 ms for its peak. The database and Redis servers are found by name (`pgrep -o -x`),
 * so they count only when they run on this machine — and whatever else they serve meanwhile.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const TICK_MS = (() => {
  try {
    return 1000 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
  } catch {
    return 10;
  }
})();

/** The oldest process with exactly this name, or null. */
export function pidOf(...names: string[]): number | null {
  for (const name of names) {
    try {
      const pid = Number(
        execFileSync('pgrep', ['-o', '-x', name], { stdio: ['ignore', 'pipe', 'ignore'] })
          .toString()
          .trim(),
      );
      if (pid > 0) return pid;
    } catch {
      // not running under this name
    }
  }
  return null;
}

/** CPU time (ms) the process has used so far, or null when it is gone. */
export function cpuMs(pid: number): number | null {
  try {
    // Fields after "(comm) ": state is index 0, so utime (field 14) and stime (15) are 11 and 12.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop()!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return null;
  }
}

/** Resident memory (KiB), or null when the process is gone. */
export function rssKiB(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export interface Usage {
  /** CPU ms used between start and stop, per process name. */
  cpuMs: Record<string, number | null>;
  /** Highest VmRSS sampled, MiB, per process name. */
  peakRssMiB: Record<string, number | null>;
}

/** Watches a set of named processes from `start()` to `stop()`. */
export class Watch {
  private readonly before = new Map<string, number | null>();
  private readonly peak = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly pids: Record<string, number | null | undefined>) {}

  start(): this {
    for (const [name, pid] of Object.entries(this.pids)) this.before.set(name, pid ? cpuMs(pid) : null);
    this.sample();
    this.timer = setInterval(() => this.sample(), 200);
    return this;
  }

  stop(): Usage {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    const usage: Usage = { cpuMs: {}, peakRssMiB: {} };
    for (const [name, pid] of Object.entries(this.pids)) {
      const now = pid ? cpuMs(pid) : null;
      const before = this.before.get(name);
      usage.cpuMs[name] = now === null || before === null || before === undefined ? null : now - before;
      const peak = this.peak.get(name);
      usage.peakRssMiB[name] = peak === undefined ? null : Math.round(peak / 1024);
    }
    return usage;
  }

  private sample(): void {
    for (const [name, pid] of Object.entries(this.pids)) {
      const kib = pid ? rssKiB(pid) : null;
      if (kib !== null) this.peak.set(name, Math.max(this.peak.get(name) ?? 0, kib));
    }
  }
}
