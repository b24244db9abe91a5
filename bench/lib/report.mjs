/** The printed table (Markdown, so it pastes into the README as is) and the must-hold targets. */

export const ROWS = [
  { id: 'enqueue.1', label: 'enqueue one by one, awaited (jobs/s)' },
  { id: 'enqueue.100', label: 'enqueue in batches of 100 (jobs/s)' },
  { id: 'enqueue.1000', label: 'enqueue in batches of 1,000 (jobs/s)' },
  { id: 'drain.1', label: 'drain noop, concurrency 1 (jobs/s)' },
  { id: 'drain.10', label: 'drain noop, concurrency 10 (jobs/s)' },
  { id: 'drain.50', label: 'drain noop, concurrency 50 (jobs/s)' },
  { id: 'latency.p50', label: 'enqueue→start p50 at 100 jobs/s (ms, lower is better)', lowerIsBetter: true },
  { id: 'latency.p99', label: 'enqueue→start p99 at 100 jobs/s (ms, lower is better)', lowerIsBetter: true },
  { id: 'http', label: 'jobs(limit: 20) over HTTP, 50 connections (req/s)' },
];

/** Whose figure the ratio columns divide: the engine on MariaDB, or for the HTTP row our GraphQL server. */
const oursFor = (row) => (row.id === 'http' ? 'ours-graphql' : 'ours-mariadb');
const PEERS = [
  ['bullmq', 'BullMQ'],
  ['graphile', 'graphile-worker'],
  ['pgboss', 'pg-boss'],
  ['raw', 'raw'],
];

const fmt = (v, row) => (v === null || v === undefined ? '—' : row.lowerIsBetter ? v.toFixed(1) : Math.round(v).toLocaleString('en-US'));
const ratio = (a, b) => (a == null || b == null || b === 0 ? '—' : `${(a / b).toFixed(2)}×`);

export function formatTable(systems, results) {
  const header = ['', ...systems.map((s) => s.label), ...PEERS.filter(([k]) => results[k]).map(([, name]) => `ours/${name}`)];
  const lines = [
    `| ${header.join(' | ')} |`,
    `| --- | ${header
      .slice(1)
      .map(() => '---:')
      .join(' | ')} |`,
  ];
  for (const row of ROWS) {
    const cells = systems.map((s) => fmt(results[s.key]?.figures[row.id], row));
    if (cells.every((c) => c === '—')) continue;
    const ours = results[oursFor(row)]?.figures[row.id];
    const ratios = PEERS.filter(([k]) => results[k]).map(([k]) => ratio(ours, results[k].figures[row.id]));
    lines.push(`| ${row.label} | ${cells.join(' | ')} | ${ratios.join(' | ')} |`);
  }
  return lines.join('\n');
}

export function checkTargets(results) {
  const f = (key, id) => results[key]?.figures[id] ?? null;
  const at = (a, b, k = 1) => (a === null || b === null ? null : a >= k * b);
  const targets = [];
  for (const c of [1, 10, 50]) {
    const ours = f('ours-mariadb', `drain.${c}`);
    for (const [peer, name, k] of [
      ['graphile', 'graphile-worker', 1],
      ['pgboss', 'pg-boss', 1],
      ['bullmq', 'BullMQ', 0.5],
    ]) {
      const theirs = f(peer, `drain.${c}`);
      targets.push({
        id: `drain.${c}.${peer}`,
        ok: at(ours, theirs, k),
        text: `drain c=${c}: ours on MariaDB ${fmt(ours, {})}/s ≥ ${k === 1 ? '' : `${k} × `}${name} ${fmt(theirs, {})}/s (${ratio(ours, theirs)})`,
      });
    }
  }
  const createJobs = f('ours-graphql', 'enqueue.1000');
  const insert = f('raw', 'enqueue.1000');
  targets.push({
    id: 'createJobs',
    ok: at(createJobs, insert, 0.5),
    text: `createJobs of 1,000 ${fmt(createJobs, {})}/s ≥ 0.5 × bare multi-row INSERT ${fmt(insert, {})}/s (${ratio(createJobs, insert)})`,
  });
  const ours = f('ours-graphql', 'http');
  const bare = f('raw', 'http');
  targets.push({
    id: 'http',
    ok: at(ours, bare, 0.3),
    text: `jobs(limit: 20) ${fmt(ours, {})} req/s ≥ 0.3 × bare Fastify route ${fmt(bare, {})} req/s (${ratio(ours, bare)})`,
  });
  const p99 = f('ours-mariadb', 'latency.p99');
  targets.push({
    id: 'latency',
    ok: p99 === null ? null : p99 < 50,
    text: `enqueue→start p99 at 100 jobs/s on MariaDB ${p99 === null ? '—' : p99.toFixed(1)} ms < 50 ms`,
  });
  return targets;
}
