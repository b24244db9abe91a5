import type { JobFilter, JobSort, JobStatus, Priority } from '#lib/graphql/generated/graphql.ts';
import { isQueueName } from '#lib/queues/settings.ts';

/** The job list's filters, sort and page, kept in the URL so a reload or a shared link shows the same list. */
export interface JobListParams {
  status: JobStatus | null;
  priority: Priority | null;
  /** Exact queue name, or null for every queue. */
  queue: string | null;
  search: string;
  sort: JobSort;
  page: number;
  limit: number;
}

export const STATUSES: readonly JobStatus[] = ['PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'];
export const PRIORITIES: readonly Priority[] = ['HIGH', 'MEDIUM', 'LOW'];
export const SORTS: readonly JobSort[] = ['CREATED_AT_DESC', 'CREATED_AT_ASC', 'PRIORITY_DESC', 'RUN_AT_ASC', 'UPDATED_AT_DESC'];
export const PAGE_SIZES = [20, 50, 100] as const;
export const DEFAULT_SORT: JobSort = 'CREATED_AT_DESC';

function oneOf<T extends string>(values: readonly T[], raw: string | null): T | null {
  return raw !== null && (values as readonly string[]).includes(raw) ? (raw as T) : null;
}

/** Unknown or malformed values fall back to defaults: a hand-edited URL never breaks the page. */
export function readListParams(url: { searchParams: { get(name: string): string | null } }): JobListParams {
  const q = url.searchParams;
  const page = Number.parseInt(q.get('page') ?? '', 10);
  const limit = Number.parseInt(q.get('limit') ?? '', 10);
  const queue = q.get('queue');
  return {
    status: oneOf(STATUSES, q.get('status')),
    priority: oneOf(PRIORITIES, q.get('priority')),
    queue: queue !== null && isQueueName(queue) ? queue : null,
    search: (q.get('q') ?? '').slice(0, 200),
    sort: oneOf(SORTS, q.get('sort')) ?? DEFAULT_SORT,
    page: Number.isFinite(page) && page > 0 ? page : 1,
    limit: (PAGE_SIZES as readonly number[]).includes(limit) ? limit : PAGE_SIZES[0],
  };
}

/** Only non-default values go into the query string, so the plain dashboard URL stays `/`. */
export function listSearch(params: JobListParams): string {
  const q = new URLSearchParams();
  if (params.status) q.set('status', params.status);
  if (params.priority) q.set('priority', params.priority);
  if (params.queue) q.set('queue', params.queue);
  if (params.search.trim()) q.set('q', params.search.trim());
  if (params.sort !== DEFAULT_SORT) q.set('sort', params.sort);
  if (params.page > 1) q.set('page', String(params.page));
  if (params.limit !== PAGE_SIZES[0]) q.set('limit', String(params.limit));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function listFilter(params: JobListParams): JobFilter | null {
  const filter: JobFilter = {};
  if (params.status) filter.status = params.status;
  if (params.priority) filter.priority = params.priority;
  if (params.queue) filter.queue = params.queue;
  if (params.search.trim()) filter.search = params.search.trim();
  return Object.keys(filter).length ? filter : null;
}

/** Whether a job (as it is now) still belongs in the filtered list. */
export function matchesFilter(params: JobListParams, job: { status: JobStatus; priority: Priority; queue: string }): boolean {
  return (
    (!params.status || job.status === params.status) &&
    (!params.priority || job.priority === params.priority) &&
    (!params.queue || job.queue === params.queue)
  );
}

/** Whether any filter (not sort or page size) narrows the list. */
export const hasFilters = (params: JobListParams): boolean =>
  Boolean(params.status || params.priority || params.queue || params.search.trim());
