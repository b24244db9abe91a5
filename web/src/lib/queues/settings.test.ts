import { describe, expect, it } from 'vitest';
import { draftOf, EMPTY_DRAFT, formatRate, formatWindow, inputOf, isQueueName } from './settings.ts';

describe('queue settings', () => {
  const limited = draftOf({ concurrencyLimit: 5, rateLimit: { max: 20, perMs: 1000 }, keyConcurrency: 2 });

  it('sends every limit for a new queue, empty ones as null (no limit)', () => {
    expect(inputOf({ ...EMPTY_DRAFT, concurrencyLimit: 3 })).toEqual({
      input: { concurrencyLimit: 3, keyConcurrency: null, rateLimit: null },
      errors: {},
    });
    expect(inputOf(limited).input).toEqual({ concurrencyLimit: 5, keyConcurrency: 2, rateLimit: { max: 20, perMs: 1000 } });
  });

  it('sends only what changed from the settings the form started with', () => {
    expect(inputOf(limited, limited)).toEqual({ input: {}, errors: {} });
    expect(inputOf({ ...limited, concurrencyLimit: null }, limited).input).toEqual({ concurrencyLimit: null });
    expect(inputOf({ ...limited, ratePerMs: 60_000 }, limited).input).toEqual({ rateLimit: { max: 20, perMs: 60_000 } });
    expect(inputOf({ ...limited, rateMax: null, ratePerMs: null }, limited).input).toEqual({ rateLimit: null });
    // An input the browser cleared reads undefined: the same as null.
    expect(inputOf({ ...limited, keyConcurrency: undefined as unknown as null }, limited).input).toEqual({ keyConcurrency: null });
    // Out-of-range values go to the server as typed; it answers on the field.
    expect(inputOf({ ...limited, concurrencyLimit: 0 }, limited).input).toEqual({ concurrencyLimit: 0 });
  });

  it('asks for both halves of a rate limit', () => {
    expect(inputOf({ ...EMPTY_DRAFT, rateMax: 10 }).errors).toEqual({ perMs: expect.stringContaining('window') });
    expect(inputOf({ ...EMPTY_DRAFT, ratePerMs: 1000 }).errors).toEqual({ max: expect.stringContaining('starts') });
  });

  it('formats rates and windows in their largest whole unit', () => {
    expect(formatRate({ max: 20, perMs: 1000 })).toBe('20 per 1 s');
    expect(formatRate(null)).toBe('none');
    expect(formatWindow(250)).toBe('250 ms');
    expect(formatWindow(1500)).toBe('1.5 s');
    expect(formatWindow(90_000)).toBe('90 s');
    expect(formatWindow(120_000)).toBe('2 min');
    expect(formatWindow(7_200_000)).toBe('2 h');
    expect(formatWindow(86_400_000)).toBe('1 d');
  });

  it('knows what the API accepts as a queue name', () => {
    expect(isQueueName('emails.high-priority_2')).toBe(true);
    expect(isQueueName('')).toBe(false);
    expect(isQueueName('Emails')).toBe(false);
    expect(isQueueName('x'.repeat(65))).toBe(false);
  });
});
