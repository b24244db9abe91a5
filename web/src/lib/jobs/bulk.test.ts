import { describe, expect, it } from 'vitest';
import { bulkSummary } from './bulk.ts';

describe('bulkSummary', () => {
  it('says how many changed of how many matched', () => {
    expect(bulkSummary('retry', { matched: 5000, changed: 5000, skipped: [] })).toBe('Retried 5,000 of 5,000 jobs');
    expect(bulkSummary('delete', { matched: 1, changed: 1, skipped: [] })).toBe('Deleted 1 of 1 job');
  });

  it('lists the first skipped reasons and counts the rest', () => {
    const skipped = Array.from({ length: 5 }, (_, i) => ({ id: String(i + 1), reason: 'RUNNING: cancel it before deleting it' }));
    expect(bulkSummary('cancel', { matched: 7, changed: 2, skipped })).toBe(
      'Cancelled 2 of 7 jobs; 5 skipped: #1 RUNNING: cancel it before deleting it; #2 RUNNING: cancel it before deleting it; #3 RUNNING: cancel it before deleting it and 2 more',
    );
  });
});
