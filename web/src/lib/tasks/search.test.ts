import { describe, expect, it } from 'vitest';
import { searchTasks } from './search.ts';

const tasks = [
  { name: 'noop', description: 'Does nothing and succeeds' },
  { name: 'http.request', description: 'Sends an HTTP request' },
  { name: 'text.stats', description: 'Counts the words of a text' },
  { name: 'report.http', description: null },
];

describe('searchTasks', () => {
  it('lists every task for an empty query', () => {
    expect(searchTasks(tasks, '  ')).toEqual(tasks);
  });

  it('ranks name prefixes, then names containing the query, then descriptions, case-insensitively', () => {
    expect(searchTasks(tasks, 'HTTP').map((t) => t.name)).toEqual(['http.request', 'report.http']);
    expect(searchTasks(tasks, 'text').map((t) => t.name)).toEqual(['text.stats']);
    expect(searchTasks(tasks, 'words').map((t) => t.name)).toEqual(['text.stats']);
    expect(searchTasks(tasks, 'zzz')).toEqual([]);
  });
});
