import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const apiDir = fileURLToPath(new URL('../..', import.meta.url));

export interface AppProcess {
  child: ChildProcess;
  pid: number;
  /** Every stdout line so far (pino JSON lines and plain console lines). */
  lines: string[];
  /** Resolves with the base URL once the process printed that it listens. */
  ready: Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Parsed pino lines whose `msg` equals `msg`. */
  logs(msg: string): Record<string, any>[];
}

export interface SpawnOptions {
  /** The script to run, relative to api/. @default the real entry point, src/main.ts */
  script?: string;
  /** Where it runs, relative to api/. @default api/ */
  cwd?: string;
  /** Load workspace packages (the client) from their TypeScript sources, not their builds. @default false */
  development?: boolean;
  /** The stdout line that says it is ready; its first group is what `ready` resolves with. @default "listening on <url>" */
  readyLine?: RegExp;
}

/** Starts `src/main.ts` (the real entry point, through tsx) — or another script — as a child process with this environment. */
export function spawnApp(
  env: Record<string, string>,
  { script = 'src/main.ts', readyLine = /listening on (http:\/\/\S+)/, cwd = '.', development = false }: SpawnOptions = {},
): AppProcess {
  const conditions = development ? ['--conditions=development'] : [];
  const child = spawn(process.execPath, ['--import', 'tsx', ...conditions, script], {
    cwd: join(apiDir, cwd),
    env: { ...process.env, NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', DB_POOL_MAX: '5', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // If the test process goes away first, its children must not live on holding database connections.
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  child.once('exit', () => process.off('exit', reap));
  const lines: string[] = [];
  let stderr = '';
  let buffered = '';
  let onReady: (url: string) => void;
  let onFail: (e: Error) => void;
  const ready = new Promise<string>((resolve, reject) => {
    onReady = resolve;
    onFail = reject;
  });
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      const m = readyLine.exec(line);
      if (m) onReady(m[1].replace('localhost', '127.0.0.1'));
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      if (buffered) lines.push(buffered);
      onFail(new Error(`process exited (${code ?? signal}) before it listened: ${stderr.slice(-2000)}`));
      resolve({ code, signal });
    });
  });
  return {
    child,
    pid: child.pid!,
    lines,
    ready,
    exited,
    logs(msg) {
      const out: Record<string, any>[] = [];
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        try {
          const entry = JSON.parse(line);
          if (entry.msg === msg) out.push(entry);
        } catch {
          // a line cut by SIGKILL
        }
      }
      return out;
    },
  };
}
