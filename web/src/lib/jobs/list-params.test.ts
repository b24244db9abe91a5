import { describe, expect, it } from 'vitest';
import { hasFilters, listFilter, listSearch, matchesFilter, readListParams } from './list-params.ts';

const read = (query: string) => readListParams(new URL(`http://x/${query}`));

describe('job list URL params', () => {
  it('round-trips filters, sort and page through the query string, leaving defaults out', () => {
    const params = read('?status=FAILED&priority=HIGH&queue=emails&q=%20invoice%20&sort=PRIORITY_DESC&page=3&limit=50');
    expect(params).toEqual({
      status: 'FAILED',
      priority: 'HIGH',
      queue: 'emails',
      search: ' invoice ',
      sort: 'PRIORITY_DESC',
      page: 3,
      limit: 50,
    });
    expect(listSearch(params)).toBe('?status=FAILED&priority=HIGH&queue=emails&q=invoice&sort=PRIORITY_DESC&page=3&limit=50');
    expect(listSearch(read(''))).toBe('');
    expect(listFilter(params)).toEqual({ status: 'FAILED', priority: 'HIGH', queue: 'emails', search: 'invoice' });
    expect(listFilter(read(''))).toBeNull();
    expect(hasFilters(params)).toBe(true);
    expect(hasFilters(read('?sort=PRIORITY_DESC&limit=50&q=%20'))).toBe(false);
    expect(hasFilters(read('?queue=emails'))).toBe(true);
  });

  it('falls back to defaults for values a hand-edited URL may carry', () => {
    expect(read('?status=DONE&priority=urgent&queue=Not%20A%20Queue&sort=RANDOM&page=-2&limit=7')).toEqual({
      status: null,
      priority: null,
      queue: null,
      search: '',
      sort: 'CREATED_AT_DESC',
      page: 1,
      limit: 20,
    });
    expect(read(`?q=${'x'.repeat(500)}`).search).toHaveLength(200);
  });

  it('tells whether a job still belongs in the filtered list', () => {
    const params = read('?status=RUNNING&priority=LOW&queue=emails');
    expect(matchesFilter(params, { status: 'RUNNING', priority: 'LOW', queue: 'emails' })).toBe(true);
    expect(matchesFilter(params, { status: 'COMPLETED', priority: 'LOW', queue: 'emails' })).toBe(false);
    expect(matchesFilter(params, { status: 'RUNNING', priority: 'LOW', queue: 'default' })).toBe(false);
    expect(matchesFilter(read(''), { status: 'COMPLETED', priority: 'HIGH', queue: 'default' })).toBe(true);
  });
});
