/** Reconnect delays for the WebSocket: 1 s, 2 s, 4 s … capped at 30 s, each ±20 % so tabs do not reconnect in lockstep. */
export const RECONNECT_BASE_MS = 1_000;
export const RECONNECT_MAX_MS = 30_000;

export function reconnectDelayMs(retries: number, random: () => number = Math.random): number {
  const base = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** Math.max(0, retries));
  return Math.round(base * (0.8 + 0.4 * random()));
}
