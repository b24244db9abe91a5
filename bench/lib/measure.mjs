/** Timing helpers shared by every system under test, so each is measured the same way. */

export const now = () => performance.now();
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Counts handler calls of a drain: `first` is when the first handler ran (the clock starts there, not at
 * worker start-up, which would charge each system its connection and migration time), `done` resolves
 * when the n-th handler ran.
 */
export function handlerCounter(n) {
  let resolve;
  const state = {
    first: 0,
    count: 0,
    done: new Promise((r) => (resolve = r)),
    hit() {
      if (state.count === 0) state.first = now();
      if (++state.count === n) resolve();
    },
  };
  return state;
}

/** Polls `check` until it returns true; throws after `timeoutMs` so a stuck system fails the run loudly. */
export async function until(check, timeoutMs, what, everyMs = 10) {
  const deadline = now() + timeoutMs;
  while (!(await check())) {
    if (now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Waits for a drain's n handler calls, then for the store to report all n jobs finished. */
export async function timeDrain(counter, storeDone, timeoutMs) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`drain: ${counter.count} handler calls after ${timeoutMs} ms`)), timeoutMs);
  });
  // Cleared once the drain ends: a pending timer would keep the process alive for the rest of timeoutMs.
  await Promise.race([counter.done, timeout]).finally(() => clearTimeout(timer));
  await until(storeDone, timeoutMs, 'the store to report every job finished', 5);
  return { ms: now() - counter.first };
}

/**
 * Open-loop arrivals: job i is sent at start + i / rate whatever happened to earlier sends (a closed
 * loop would slow arrivals down when the system is slow and hide its latency). `send(i)` records its own
 * timestamp before it enqueues.
 */
export async function arrive(n, ratePerSec, send) {
  const start = now() + 20;
  const sends = [];
  for (let i = 0; i < n; i++) {
    const wait = start + (i * 1000) / ratePerSec - now();
    if (wait > 1) await sleep(wait);
    sends.push(send(i));
  }
  await Promise.all(sends);
}

/**
 * Measures enqueue→start latency: `sent[i]` right before job i is enqueued, `started[i]` when its handler
 * begins, both on this process's monotonic clock (enqueuer and worker run in one process: no clock skew).
 */
export function latencyProbe(n) {
  const sent = new Array(n);
  const started = new Array(n);
  const counter = handlerCounter(n);
  return {
    sent,
    counter,
    start(i) {
      if (started[i] === undefined) {
        started[i] = now();
        counter.hit();
      }
    },
    samples: () => started.map((s, i) => s - sent[i]),
  };
}

export function chunks(n, size) {
  const out = [];
  for (let i = 0; i < n; i += size) out.push(Array.from({ length: Math.min(size, n - i) }, (_, k) => i + k));
  return out;
}
