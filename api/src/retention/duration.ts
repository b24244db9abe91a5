/** Retention periods as people write them: `7d`, `12h`, `15m`, `90s`, or whole milliseconds. */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** 0 keeps jobs forever; anything shorter than this would prune jobs before a client could read them. */
export const MIN_RETENTION_MS = 1000;

/** 0 means "keep forever". */
export const KEEP = 0;

/** The milliseconds a duration stands for, or a message saying what was expected. */
export function parseDuration(raw: string): number | string {
  const m = /^\s*(\d+)\s*(ms|s|m|h|d)?\s*$/.exec(raw);
  if (!m) return `expected a duration such as 90s, 15m, 12h, 7d or milliseconds (0 keeps forever), got ${JSON.stringify(raw)}`;
  const ms = Number(m[1]) * UNIT_MS[m[2] ?? 'ms'];
  if (!Number.isSafeInteger(ms)) return `expected a duration of at most ${Number.MAX_SAFE_INTEGER} ms, got ${JSON.stringify(raw)}`;
  if (ms !== KEEP && ms < MIN_RETENTION_MS) return `expected 0 (keep forever) or at least 1s, got ${JSON.stringify(raw)}`;
  return ms;
}

/** `604800000` → `7d`: the largest unit that divides it, for the dashboard and messages. */
export function formatDuration(ms: number): string {
  if (ms === KEEP) return 'kept forever';
  for (const unit of ['d', 'h', 'm', 's'] as const) if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  return `${ms}ms`;
}
