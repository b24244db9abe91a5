import { describe, expect, it } from 'vitest';
import { parseCronRule } from './cron.js';

const fields = { cron: 'input.cron', timezone: 'input.timezone' };

function badInput(fn: () => unknown): { field: string; message: string } {
  try {
    fn();
  } catch (error: any) {
    return { field: error.extensions?.field, message: error.message };
  }
  throw new Error('expected a BAD_USER_INPUT error');
}

describe('parseCronRule', () => {
  it('computes ticks in the schedule timezone, across daylight saving time', () => {
    const rule = parseCronRule('0 9 * * *', 'America/New_York', fields);
    expect(rule.next(new Date('2026-07-01T00:00:00Z'))?.toISOString()).toBe('2026-07-01T13:00:00.000Z'); // EDT
    expect(rule.next(new Date('2026-01-01T00:00:00Z'))?.toISOString()).toBe('2026-01-01T14:00:00.000Z'); // EST
  });

  it('accepts seconds as a sixth field and returns the next tick strictly after', () => {
    const rule = parseCronRule('* * * * * *', 'UTC', fields);
    expect(rule.next(new Date('2026-01-01T00:00:00.000Z'))?.toISOString()).toBe('2026-01-01T00:00:01.000Z');
    expect(rule.next(new Date('2026-01-01T00:00:00.400Z'))?.toISOString()).toBe('2026-01-01T00:00:01.000Z');
  });

  it('names input.cron for bad patterns and input.timezone for unknown zones', () => {
    expect(badInput(() => parseCronRule('61 * * * *', 'UTC', fields))).toMatchObject({
      field: 'input.cron',
      message: expect.stringMatching(/minute/),
    });
    expect(badInput(() => parseCronRule('every day', 'UTC', fields)).field).toBe('input.cron');
    expect(badInput(() => parseCronRule('', 'UTC', fields)).field).toBe('input.cron');
    expect(badInput(() => parseCronRule('0 0 30 2 *', 'UTC', fields)).message).toMatch(/never/);
    expect(badInput(() => parseCronRule('* * * * *', 'Mars/Olympus_Mons', fields))).toMatchObject({
      field: 'input.timezone',
      message: expect.stringMatching(/IANA/),
    });
  });
});
