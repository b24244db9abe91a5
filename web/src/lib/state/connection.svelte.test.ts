import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConnectionState, POLL_INTERVAL_MS } from './connection.svelte.ts';

describe('ConnectionState', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('is live while the socket is open, polls every 5 s while it is not, and catches up on reconnect', async () => {
    const state = new ConnectionState();
    const refresh = vi.fn(async () => {});
    state.register(refresh);
    expect(state.status).toBe('connecting');

    state.socketOpened();
    expect(state.status).toBe('live');
    expect(refresh).not.toHaveBeenCalled(); // the first connect has nothing to catch up on

    state.socketClosed();
    expect(state.status).toBe('polling');
    await vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS - 1);
    expect(refresh).toHaveBeenCalledTimes(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(refresh).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(2 * POLL_INTERVAL_MS);
    expect(refresh).toHaveBeenCalledTimes(3);

    state.httpResult(false);
    expect(state.status).toBe('offline');
    state.httpResult(true);
    expect(state.status).toBe('polling');

    state.socketOpened();
    expect(state.status).toBe('live');
    expect(refresh).toHaveBeenCalledTimes(4); // one catch-up refresh
    await vi.advanceTimersByTimeAsync(3 * POLL_INTERVAL_MS);
    expect(refresh).toHaveBeenCalledTimes(4); // no polling while live
  });

  it('goes to polling straight from connecting when the first connect fails, and stops calling unregistered pages', async () => {
    const state = new ConnectionState();
    const refresh = vi.fn(async () => {});
    const unregister = state.register(refresh);
    state.socketClosed();
    expect(state.status).toBe('polling');
    unregister();
    await vi.advanceTimersByTimeAsync(2 * POLL_INTERVAL_MS);
    expect(refresh).not.toHaveBeenCalled();
  });
});
