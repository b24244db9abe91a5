import { describe, expect, it } from 'vitest';
import { Job } from '../jobs/job.entity.js';
import { runHandler, StopReason } from './run-handler.js';

const job = (timeoutMs: number | null = null) => Object.assign(new Job(), { id: 1, taskName: 't', payload: {}, timeoutMs });
const never = () => new Promise(() => {});
const silent = () => {};
const context = {
  progress: silent,
  log: Object.assign(silent, { debug: silent, info: silent, warn: silent, error: silent }),
  attempt: 1,
  worker: 'test',
};

describe('runHandler', () => {
  it('completes with the JSON form of what the handler returns', async () => {
    const at = new Date('2026-01-01T00:00:00Z');
    expect(await runHandler(() => ({ at, n: 1, skip: undefined }), job(), new AbortController(), context)).toEqual({
      kind: 'completed',
      result: { at: '2026-01-01T00:00:00.000Z', n: 1 },
    });
    expect(await runHandler(() => undefined, job(), new AbortController(), context)).toEqual({ kind: 'completed', result: null });
  });

  it('fails with the error message, and on results JSON cannot hold', async () => {
    expect(await runHandler(() => Promise.reject(new Error('boom')), job(), new AbortController(), context)).toMatchObject({
      kind: 'failed',
      error: 'boom',
      retryable: true,
    });
    expect(
      await runHandler(
        () => {
          throw 'plain string';
        },
        job(),
        new AbortController(),
        context,
      ),
    ).toMatchObject({ kind: 'failed', error: 'plain string', stack: null });
    const outcome = await runHandler(() => ({ big: 10n }), job(), new AbortController(), context);
    expect(outcome.kind).toBe('failed');
  });

  it('times out a handler that ignores its signal, and the signal carries the reason', async () => {
    let seen: unknown;
    const started = Date.now();
    const outcome = await runHandler(
      (_job, { signal }) => {
        signal.addEventListener('abort', () => (seen = signal.reason));
        return never();
      },
      job(50),
      new AbortController(),
      context,
    );
    expect(outcome).toEqual({ kind: 'failed', error: 'timed out after 50 ms (timeoutMs)', stack: null, retryable: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(seen).toBeInstanceOf(StopReason);
  });

  it('times out no earlier than startedAt + timeoutMs by the clock the run duration is read with', async () => {
    // A start 40 ms ahead of the timer stands in for the timer and Date clocks disagreeing.
    const startedAt = new Date(Date.now() + 40);
    const outcome = await runHandler(never, Object.assign(job(50), { startedAt }), new AbortController(), context);
    expect(outcome).toMatchObject({ kind: 'failed', error: 'timed out after 50 ms (timeoutMs)' });
    expect(Date.now() - startedAt.getTime()).toBeGreaterThanOrEqual(50);
  });

  it('a cancel stops the run without an outcome of its own', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(StopReason.cancelled()), 20);
    expect(await runHandler(never, job(), controller, context)).toEqual({ kind: 'stopped', reason: 'the job was cancelled' });
  });
});
