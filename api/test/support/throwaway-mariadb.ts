import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import { createConnection } from 'mysql2/promise';

/**
 * A MariaDB server of the test's own: a fresh data directory under the system temp dir, `mariadbd`
 * on a free TCP port of 127.0.0.1 with its own socket and pid file. A test may SIGKILL it and start it
 * again on the same data directory (crash recovery included) without touching the machine's main
 * server. Root logs in over TCP without a password.
 */
export interface ThrowawayMariadb {
  /** `mysql://root@127.0.0.1:PORT` (no database: create one). */
  url: string;
  port: number;
  dataDir: string;
  /** True while a server process runs. */
  readonly running: boolean;
  /** SIGKILL the server and wait until it exited: a crash, no shutdown. */
  kill(): Promise<void>;
  /** Start it again on the same data directory and port; resolves once it accepts connections. */
  restart(): Promise<void>;
  /** Stop the server (SIGKILL if needed) and remove its directory. Safe to call twice. */
  stop(): Promise<void>;
  /** The last lines of the server's error log, for failure messages. */
  errorLog(lines?: number): string;
}

/** Looks a program up on PATH, then in the sbin directories Debian-family packages put `mariadbd` in. */
function findBinary(names: string[]): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin', '/usr/local/mysql/bin'];
  for (const name of names) for (const dir of dirs) if (dir && existsSync(join(dir, name))) return join(dir, name);
  return undefined;
}

function binaries(): { server: string; installDb: string } | undefined {
  const server = findBinary(['mariadbd', 'mysqld']);
  const installDb = findBinary(['mariadb-install-db', 'mysql_install_db']);
  return server && installDb ? { server, installDb } : undefined;
}

/** Why a throwaway server cannot be started here, or undefined when it can. */
export function throwawayMariadbSkipReason(): string | undefined {
  return binaries()
    ? undefined
    : 'MariaDB binaries (mariadbd and mariadb-install-db) not found on PATH or in /usr/sbin: install mariadb-server to run this test';
}

export const available = (): boolean => throwawayMariadbSkipReason() === undefined;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Creates the data directory and starts the server; the directory is removed by `stop()`. */
export async function startThrowawayMariadb(): Promise<ThrowawayMariadb> {
  const bins = binaries();
  if (!bins) throw new Error(throwawayMariadbSkipReason());
  const dir = mkdtempSync(join(tmpdir(), 'jobs-mariadb-'));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  const errorLogFile = join(dir, 'error.log');
  // mariadbd refuses to run as root unless told to; as anyone else --user is not allowed.
  const asRoot = process.getuid?.() === 0;
  const userArgs = asRoot ? [`--user=${userInfo().username}`] : [];

  const install = spawnSync(
    bins.installDb,
    [
      '--no-defaults',
      `--datadir=${dataDir}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      '--skip-name-resolve',
      ...userArgs,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (install.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `mariadb-install-db failed (${install.status ?? install.signal}): ${(install.stderr || install.stdout || '').slice(-2000)}`,
    );
  }

  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let port = 0;
  let removed = false;
  const reap = () => child?.kill('SIGKILL');
  process.once('exit', reap);

  const errorLog = (lines = 30) => {
    try {
      return readFileSync(errorLogFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no error log)';
    }
  };

  const args = () => [
    '--no-defaults',
    `--datadir=${dataDir}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    `--socket=${join(dir, 'mariadbd.sock')}`,
    `--pid-file=${join(dir, 'mariadbd.pid')}`,
    `--log-error=${errorLogFile}`,
    ...userArgs,
    '--skip-log-bin',
    '--skip-name-resolve',
    '--max-connections=1000',
    '--innodb-buffer-pool-size=64M',
    '--innodb-log-file-size=64M',
    // Durable against a crash of mariadbd itself (the log reaches the OS at every commit), which is
    // what the tests do to it; not against a power cut, which they do not.
    '--innodb-flush-log-at-trx-commit=2',
    '--sync-binlog=0',
    '--performance-schema=OFF',
    '--skip-host-cache',
  ];

  async function waitReady(proc: ChildProcess, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(`mariadbd exited (${proc.exitCode ?? proc.signalCode}) before it accepted connections:\n${errorLog()}`);
      }
      try {
        const conn = await createConnection({ host: '127.0.0.1', port, user: 'root', password: '', connectTimeout: 1000 });
        await conn.query('select 1');
        await conn.end();
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new Error(`mariadbd did not accept connections within ${timeoutMs} ms (${(error as Error).message}):\n${errorLog()}`, {
            cause: error,
          });
        }
        await sleep(50);
      }
    }
  }

  async function launch(): Promise<void> {
    const proc = spawn(bins!.server, args(), { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr!.resume();
    child = proc;
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    await waitReady(proc);
  }

  // The port is free when picked but could be taken before mariadbd binds it: try a few.
  for (let tries = 1; ; tries++) {
    port = await freePort();
    try {
      await launch();
      break;
    } catch (error) {
      (child as ChildProcess | null)?.kill('SIGKILL');
      await exited;
      if (tries >= 3) {
        process.off('exit', reap);
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }

  const server: ThrowawayMariadb = {
    url: `mysql://root@127.0.0.1:${port}`,
    port,
    dataDir,
    get running() {
      return child !== null && child.exitCode === null && child.signalCode === null;
    },
    async kill() {
      if (!server.running) return;
      child!.kill('SIGKILL');
      await exited;
    },
    async restart() {
      if (removed) throw new Error('the throwaway MariaDB server was stopped and its directory removed');
      await server.kill();
      await launch();
    },
    async stop() {
      if (removed) return;
      removed = true;
      await server.kill();
      process.off('exit', reap);
      rmSync(dir, { recursive: true, force: true });
    },
    errorLog,
  };
  return server;
}

export const start = startThrowawayMariadb;
