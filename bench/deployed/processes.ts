/**
 * The processes of `npm run bench:deployed`: the product's API and worker (`api/dist/src/main.js`, as the
 * Dockerfile runs it, with ROLE=api or ROLE=worker), and the receiver and client
 * helpers (forked, IPC). Every process started here is tracked: `stopAll` sends SIGTERM and waits for
 * each to exit (SIGKILL after a minute), and runs on any exit path of the parent.
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const API_DIR = join(ROOT, 'api');

/** Only these of the parent's variables reach a child: a shell's DATABASE_URL or WORKER_QUEUES must not. */
const INHERITED = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ', 'USER'];
export function baseEnv(): Record<string, string> {
  return Object.fromEntries(INHERITED.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]!]));
}

interface Tracked {
  name: string;
  child: ChildProcess;
  exited: Promise<void>;
}
const live = new Set<Tracked>();

/** Tracks a process started elsewhere, so that `stopAll` stops it too. */
export function adopt(name: string, child: ChildProcess): void {
  track(name, child);
}

function track(name: string, child: ChildProcess): Tracked {
  const t: Tracked = { name, child, exited: new Promise((r) => child.once('exit', () => r())) };
  live.add(t);
  void t.exited.then(() => live.delete(t));
  return t;
}

/** SIGTERM, then wait for the exit; SIGKILL after `graceMs`. Resolves with how it ended. */
async function terminate(t: Tracked, graceMs = 60_000): Promise<string> {
  const { child } = t;
  if (child.exitCode !== null || child.signalCode !== null) return `exited earlier (${child.exitCode ?? child.signalCode})`;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs)));
  const late = await Promise.race([t.exited.then(() => false), killed]);
  clearTimeout(timer);
  if (late) {
    child.kill('SIGKILL');
    await t.exited;
    return `did not stop within ${graceMs} ms of SIGTERM: killed`;
  }
  return child.exitCode === 0 ? 'ok' : `exit ${child.exitCode ?? child.signalCode}`;
}

/** Stops every process still running, the newest first (the worker before the API before the receiver). */
export async function stopAll(): Promise<void> {
  for (const t of [...live].reverse()) await terminate(t);
}
process.on('exit', () => {
  for (const t of live) t.child.kill('SIGTERM');
});

/** What a product process wrote that a benchmark should not hide: warnings, errors, stderr. */
export interface Problems {
  warnings: number;
  errors: number;
  /** The first few, as written. */
  lines: string[];
}

export interface Product {
  name: string;
  pid: number;
  url: string;
  problems: Problems;
  /** SIGTERM and wait; resolves with how it ended ('ok' for exit 0). */
  stop(): Promise<string>;
}

function watchLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buffer = '';
  stream.setEncoding('utf8');
  stream.on('data', (d: string) => {
    buffer += d;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      onLine(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
    }
  });
}

/**
 * Compiles the API as the image's build does (`npm run build -w api`), so the compiled run measures
 * today's source, never a stale `api/dist`.
 */
export function buildApi(): void {
  execFileSync('npm', ['run', 'build', '-w', 'api'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

/**
 * Starts the compiled `api/dist/src/main.js` the image runs or, without `dist`, `api/src/main.ts`
 * (through tsx's loader in the same node process, so SIGTERM reaches the server); resolves once it prints
 * that it listens. Its JSON log lines of level warn (40) and above, and anything on stderr, are kept.
 */
export function startProduct(name: string, env: Record<string, string>, dist: boolean): Promise<Product> {
  const main = dist ? [join(API_DIR, 'dist', 'src', 'main.js')] : ['--import', 'tsx', 'src/main.ts'];
  // A CPU profile of every product process (written when it exits), to see where a figure's time goes.
  const profile = process.env.BENCH_CPU_PROF_DIR;
  const entry = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`, ...main] : main;
  const child = spawn(process.execPath, entry, { cwd: API_DIR, env: { ...baseEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const tracked = track(name, child);
  const problems: Problems = { warnings: 0, errors: 0, lines: [] };
  const recent: string[] = [];
  const keep = (line: string) => problems.lines.length < 20 && problems.lines.push(line.slice(0, 500));
  return new Promise((resolve, reject) => {
    let url: string | null = null;
    watchLines(child.stdout!, (line) => {
      recent.push(line);
      if (recent.length > 30) recent.shift();
      if (line.startsWith('{')) {
        let level = 0;
        try {
          level = (JSON.parse(line) as { level?: number }).level ?? 0;
        } catch {
          // not a log line
        }
        if (level >= 50) problems.errors++;
        else if (level >= 40) problems.warnings++;
        if (level >= 40) keep(line);
        return;
      }
      const m = !url && /listening on (http:\/\/\S+)/.exec(line);
      if (m) {
        url = m[1].replace('localhost', '127.0.0.1');
        resolve({ name, pid: child.pid!, url, problems, stop: () => terminate(tracked) });
      }
    });
    watchLines(child.stderr!, (line) => {
      recent.push(line);
      if (!line.trim()) return;
      problems.errors++;
      keep(line);
    });
    child.once('exit', (code, signal) => {
      if (!url) reject(new Error(`${name} exited (${code ?? signal}) before it listened:\n${recent.join('\n')}`));
    });
  });
}

export interface Helper {
  pid: number;
  ready: Record<string, unknown>;
  ask<T = Record<string, unknown>>(message: Record<string, unknown>): Promise<T>;
  stop(): Promise<string>;
}

/** Forks a helper script (plain node: its types are stripped) and waits for its first message. */
export async function startHelper(name: string, file: string, env: Record<string, string>): Promise<Helper> {
  const child = fork(file, [], { execArgv: [], env: { ...baseEnv(), ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const tracked = track(name, child);
  const waiting = new Map<number, (reply: Record<string, unknown>) => void>();
  let next = 0;
  child.on('message', (m: { id: number }) => {
    waiting.get(m.id)?.(m);
    waiting.delete(m.id);
  });
  child.once('exit', (code, signal) => {
    for (const answer of waiting.values()) answer({ failed: `exited (${code ?? signal}) before it answered` });
    waiting.clear();
  });
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    waiting.set(0, (m) => (m.failed ? reject(new Error(`${name} ${String(m.failed)}`)) : resolve(m)));
  });
  return {
    pid: child.pid!,
    ready,
    ask: <T>(message: Record<string, unknown>) =>
      new Promise<T>((resolve, reject) => {
        const id = ++next;
        waiting.set(id, (reply) => (reply.failed ? reject(new Error(`${name}: ${String(reply.failed)}`)) : resolve(reply as T)));
        child.send({ ...message, id });
      }),
    stop: () => terminate(tracked),
  };
}
