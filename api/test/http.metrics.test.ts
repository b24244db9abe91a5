import { describe, expect, it } from 'vitest';
import { serverForSuite, sqlite, type TestServer } from './support/server.js';

/** `/metrics` after real work: jobs run by the engine, webhooks sent to the own receiver, HTTP requests. */

/** `name{labels} value` lines of the Prometheus text format, by series. */
function parseMetrics(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    series.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return series;
}

async function scrape(server: TestServer): Promise<Map<string, number>> {
  const res = await fetch(`${server.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseMetrics(await res.text());
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('metrics', () => {
  const server = serverForSuite(sqlite, { ROLE: 'all', WEBHOOK_RETRY_BASE_MS: '50' });

  it('counts jobs by status, runs by outcome, claims, webhook attempts and HTTP latency', async () => {
    const created = await server().gql('mutation($in: [CreateJobInput!]!) { createJobs(inputs: $in) { id } }', {
      in: [
        { taskName: 'noop' },
        { taskName: 'noop' },
        { taskName: 'noop' },
        { taskName: 'simulated', payload: { durationMs: 20, fail: true }, maxAttempts: 1 },
      ],
    });
    expect(created.data.createJobs).toHaveLength(4);
    await waitFor('the jobs and their webhooks', async () => {
      const m = await scrape(server());
      return (m.get('jobs_by_status{status="COMPLETED"}') ?? 0) === 3 && (m.get('webhook_attempts_total{outcome="success"}') ?? 0) >= 4;
    });

    const m = await scrape(server());
    expect(m.get('jobs_by_status{status="COMPLETED"}')).toBe(3);
    expect(m.get('jobs_by_status{status="FAILED"}')).toBe(1);
    expect(m.get('jobs_by_status{status="PENDING"}')).toBe(0);
    expect(m.get('jobs_run_duration_seconds_count{outcome="completed"}')).toBe(3);
    expect(m.get('jobs_run_duration_seconds_count{outcome="failed"}')).toBe(1);
    expect(m.get('jobs_claimed_total')).toBe(4);
    expect(m.get('jobs_claim_duration_seconds_count')).toBeGreaterThan(0);
    expect(m.get('webhook_attempts_total{outcome="success"}')).toBe(4);
    expect(m.get('http_request_duration_seconds_count{method="POST",route="/graphql",status_code="200"}')).toBeGreaterThanOrEqual(1);
    expect(m.get('process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('queue depth counts due PENDING jobs that wait for a worker, not future ones', async () => {
    await server().gql('mutation { pauseQueue { paused } }');
    const future = new Date(Date.now() + 3_600_000).toISOString();
    await server().gql('mutation($in: [CreateJobInput!]!) { createJobs(inputs: $in) { id } }', {
      in: [{ taskName: 'noop' }, { taskName: 'noop' }, { taskName: 'noop', runAt: future }],
    });
    const m = await scrape(server());
    expect(m.get('jobs_queue_depth')).toBe(2);
    expect(m.get('jobs_by_status{status="PENDING"}')).toBe(3);
    await server().gql('mutation { resumeQueue { paused } }');
    await waitFor('the queue to drain', async () => (await scrape(server())).get('jobs_queue_depth') === 0);
  });

  it('per queue: due PENDING, RUNNING, and the wait from due to start observed by the worker', async () => {
    await server().gql('mutation { pauseQueue(name: "metered") { paused } }');
    await server().gql('mutation($in: [CreateJobInput!]!) { createJobs(inputs: $in) { id } }', {
      in: [
        { taskName: 'noop', queue: 'metered' },
        { taskName: 'noop', queue: 'metered' },
        { taskName: 'slow', queue: 'slowlane', payload: { durationMs: 1500 } },
      ],
    });
    await waitFor('the slow job to run', async () => (await scrape(server())).get('jobs_queue_running{queue="slowlane"}') === 1);
    const m = await scrape(server());
    expect(m.get('jobs_queue_pending{queue="metered"}')).toBe(2);
    expect(m.get('jobs_queue_running{queue="metered"}')).toBeUndefined();
    expect(m.get('jobs_queue_wait_seconds_count{queue="slowlane"}')).toBe(1);

    await server().gql('mutation { resumeQueue(name: "metered") { paused } }');
    await waitFor('metered to drain', async () => (await scrape(server())).get('jobs_queue_wait_seconds_count{queue="metered"}') === 2);
    const after = await scrape(server());
    // Paused for a while: their wait shows in the histogram's sum.
    expect(after.get('jobs_queue_wait_seconds_sum{queue="metered"}')).toBeGreaterThan(0);
    expect(after.get('jobs_queue_pending{queue="metered"}')).toBeUndefined();
  });
});
