import { Cron } from 'croner';
import { BadUserInputError, describe } from '../graphql/errors.js';

/** A cron rule checked once at the edge: its pattern parses, its timezone exists, it fires at all. */
export interface CronRule {
  readonly cron: string;
  readonly timezone: string;
  /** The first tick strictly after `after`, or null when the rule never fires again. */
  next(after: Date): Date | null;
  /** Up to `count` ticks at or before `atOrBefore`, latest first. */
  previous(count: number, atOrBefore: Date): Date[];
}

export interface CronFields {
  cron: string;
  timezone: string;
}

const MAX_PATTERN = 255;

/** IANA names as the runtime knows them (`Intl`), e.g. `UTC`, `Europe/Berlin`, `America/New_York`. */
export function isTimezone(timezone: string): boolean {
  if (!timezone || timezone.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Parses `cron` (5 fields, or 6 with seconds first; nicknames like `@hourly` too) in `timezone`.
 * Throws BAD_USER_INPUT naming `fields.cron` or `fields.timezone` with what was expected.
 */
export function parseCronRule(cron: unknown, timezone: unknown, fields: CronFields = { cron: 'cron', timezone: 'timezone' }): CronRule {
  if (typeof timezone !== 'string' || !isTimezone(timezone)) {
    throw new BadUserInputError(fields.timezone, `expected an IANA timezone such as "UTC" or "Europe/Berlin", got ${describe(timezone)}`);
  }
  if (typeof cron !== 'string' || cron.trim() === '' || cron.length > MAX_PATTERN) {
    throw new BadUserInputError(
      fields.cron,
      `expected a cron pattern such as "*/5 * * * *" (5 fields, or 6 with seconds), got ${describe(cron)}`,
    );
  }
  const pattern = cron.trim();
  let job: Cron;
  try {
    job = new Cron(pattern, { timezone, paused: true, mode: '5-or-6-parts' });
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^CronPattern: /, '') : String(error);
    throw new BadUserInputError(
      fields.cron,
      `expected a cron pattern such as "*/5 * * * *" (5 fields, or 6 with seconds), got ${JSON.stringify(pattern)}: ${reason}`,
    );
  }
  const next = (after: Date): Date | null => job.nextRun(after);
  if (next(new Date()) === null) {
    throw new BadUserInputError(
      fields.cron,
      `expected a pattern that fires at least once more, got ${JSON.stringify(pattern)}, which never does`,
    );
  }
  // croner's reference is exclusive: one millisecond later makes a tick at `atOrBefore` itself count.
  const previous = (count: number, atOrBefore: Date): Date[] =>
    job.previousRuns(count, new Date(atOrBefore.getTime() + 1)).filter((t) => t.getTime() <= atOrBefore.getTime());
  return { cron: pattern, timezone, next, previous };
}
