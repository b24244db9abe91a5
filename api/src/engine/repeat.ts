import type { EngineLog } from '../log.js';

/**
 * Runs `task` every `intervalMs`, never overlapping itself. A thrown error is logged and the next
 * round still runs: a timer callback that throws would otherwise crash the process.
 */
export function repeat(intervalMs: number, task: () => Promise<void>, log: EngineLog, what: string): () => void {
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const round = async () => {
    try {
      await task();
    } catch (error) {
      log.warn({ err: error }, `${what} failed; trying again in ${intervalMs} ms`);
    }
    if (!stopped) timer = setTimeout(round, intervalMs);
  };
  timer = setTimeout(round, intervalMs);
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
