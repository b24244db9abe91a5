/** The table `npm run bench:deployed` prints (Markdown, like bench/lib/report.mjs) and the ratios it reads. */

export type Figures = Record<string, number | null | undefined>;

export interface Column {
  key: string;
  label: string;
}

/** Processes whose CPU and memory are reported, in the order cells list them. */
export const PROCESSES = ['worker', 'api', 'mariadbd', 'redis', 'receiver', 'client'] as const;
const SHOWN: Record<string, string> = {
  worker: 'worker',
  api: 'API',
  mariadbd: 'mariadbd',
  redis: 'redis-server',
  receiver: 'receiver',
  client: 'client',
};

const int = (v: number) => Math.round(v).toLocaleString('en-US');
export const fmtRate = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : int(v));
export const fmtMs = (v: number | null | undefined) =>
  v === null || v === undefined ? '—' : v === Infinity ? 'not reached' : v < 100 ? v.toFixed(1) : int(v);
export const ratio = (a: number | null | undefined, b: number | null | undefined) =>
  a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? '—' : `${(a / b).toFixed(2)}×`;

/** "worker 41 · API 2 · mariadbd 120": one cell for the processes of one workload. */
function perProcess(f: Figures, prefix: string, digits = 0): string {
  const parts = PROCESSES.filter((p) => f[`${prefix}.${p}`] !== undefined && f[`${prefix}.${p}`] !== null).map(
    (p) => `${SHOWN[p]} ${(f[`${prefix}.${p}`] as number).toFixed(digits)}`,
  );
  return parts.length ? parts.join(' · ') : '—';
}

export interface TableInput {
  /** The in-process columns, after ours deployed: ours in-process first, then the peers. */
  inProcess: (Column & { figures: Figures; peer: boolean })[];
  deployed: Figures;
  latencyRates: number[];
  drainLevels: number[];
  latencyConcurrency: number;
}

export function formatTable({ inProcess, deployed: d, latencyRates, drainLevels, latencyConcurrency }: TableInput): string {
  const peers = inProcess.filter((c) => c.peer);
  const internal = inProcess.find((c) => !c.peer);
  const header = [
    '',
    'ours deployed (API + worker processes, MariaDB)',
    ...inProcess.map((c) => c.label),
    ...peers.map((p) => `ours/${p.key === 'graphile' ? 'graphile-worker' : p.key === 'pgboss' ? 'pg-boss' : 'BullMQ'}`),
    ...(internal ? ['HTTP ÷ in-process'] : []),
  ];
  const lines = [
    `| ${header.join(' | ')} |`,
    `| --- | ${header
      .slice(1)
      .map(() => '---:')
      .join(' | ')} |`,
  ];
  const row = (label: string, ours: string, others: string[], ratios: string[] = [], last?: string) =>
    lines.push(
      `| ${[label, ours, ...others, ...(ratios.length ? ratios : peers.map(() => '')), ...(internal ? [last ?? ''] : [])].join(' | ')} |`,
    );
  const blank = (text = '—') => inProcess.map((c) => (c.peer ? text : '—'));

  for (const [id, label] of [
    ['enqueue.1', 'enqueue one by one, awaited (jobs/s; ours: createJob over HTTP)'],
    ['enqueue.100', 'enqueue in batches of 100 (jobs/s; ours: createJobs over HTTP)'],
    ['enqueue.1000', 'enqueue in batches of 1,000 (jobs/s; ours: createJobs over HTTP)'],
  ]) {
    row(
      label,
      fmtRate(d[id]),
      inProcess.map((c) => fmtRate(c.figures[id])),
      peers.map((p) => ratio(d[id], p.figures[id])),
      internal ? ratio(d[id], internal.figures[id]) : undefined,
    );
  }
  for (const c of drainLevels) {
    const id = `drain.${c}`;
    row(
      `drain noop, concurrency ${c} (jobs/s; ours: one worker process, webhooks on)`,
      fmtRate(d[id]),
      inProcess.map((s) => (s.peer ? fmtRate(s.figures[id]) : '—')),
      peers.map((p) => ratio(d[id], p.figures[id])),
    );
  }
  for (const c of drainLevels)
    row(`webhooks received and verified, drain c = ${c} (per s)`, fmtRate(d[`webhooks.${c}`]), blank('no webhooks'));
  for (const c of drainLevels)
    row(`webhooks/s ÷ jobs drained/s, c = ${c}`, ratio(d[`webhooks.${c}`], d[`drain.${c}`]), blank('no webhooks'));
  for (const rate of latencyRates) {
    for (const p of ['p50', 'p99'])
      row(
        `enqueue→webhook received ${p} at ${int(rate)}/s, c = ${latencyConcurrency} (ms, lower is better)`,
        fmtMs(d[`latency.${rate}.${p}`]),
        blank('no webhooks'),
      );
    const got = d[`latency.${rate}.received`];
    const sent = d[`latency.${rate}.jobs`];
    row(
      `webhooks received within the wait / jobs created, ${int(rate)}/s`,
      got == null || sent == null ? '—' : `${int(got)} / ${int(sent)}`,
      blank('no webhooks'),
    );
  }
  const top = Math.max(...latencyRates);
  row(
    `outbox backlog at ${int(top)}/s: most pending deliveries (rows, sampled each second)`,
    fmtRate(d[`backlog.${top}.max`]),
    blank('no outbox'),
  );
  row(
    `that backlog in seconds of delivery (÷ webhooks/s at c = ${latencyConcurrency})`,
    d[`backlog.${top}.seconds`] == null ? '—' : (d[`backlog.${top}.seconds`] as number).toFixed(1),
    blank('no outbox'),
  );
  const workloads = [
    ['enqueue.1', 'createJob one by one'],
    ['enqueue.100', 'createJobs of 100'],
    ['enqueue.1000', 'createJobs of 1,000'],
    ...drainLevels.map((c) => [`drain.${c}`, `drain c = ${c}, until every webhook arrived`]),
    ...latencyRates.map((r) => [`latency.${r}`, `${int(r)}/s arrivals, until the webhooks arrived`]),
  ];
  for (const [id, label] of workloads) row(`CPU per job (µs), ${label}`, perProcess(d, `cpu.${id}`), blank());
  for (const [group, label] of [
    ['enqueue', 'enqueues'],
    ['drain', 'drains'],
    ['latency', 'arrival runs'],
  ])
    row(`peak resident memory (MiB), ${label}`, perProcess(d, `rss.${group}`), blank());
  return lines.join('\n');
}

/** The ratios the issue's must-holds read, as lines. */
export function ratioLines({ inProcess, deployed: d, drainLevels }: TableInput): string[] {
  const out: string[] = [];
  for (const c of drainLevels)
    for (const p of inProcess.filter((s) => s.peer && s.key !== 'pgboss'))
      out.push(
        `drain c=${c}: ours deployed ${fmtRate(d[`drain.${c}`])}/s vs ${p.key === 'bullmq' ? 'BullMQ' : 'graphile-worker'} ${fmtRate(p.figures[`drain.${c}`])}/s: ${ratio(d[`drain.${c}`], p.figures[`drain.${c}`])}`,
      );
  for (const c of drainLevels)
    out.push(
      `webhooks/s ÷ jobs drained/s at c=${c}: ${fmtRate(d[`webhooks.${c}`])} / ${fmtRate(d[`drain.${c}`])} = ${ratio(d[`webhooks.${c}`], d[`drain.${c}`])}`,
    );
  const internal = inProcess.find((s) => !s.peer);
  if (internal)
    for (const [id, what] of [
      ['enqueue.1', 'createJob over HTTP ÷ internal enqueue (one by one)'],
      ['enqueue.100', 'createJobs of 100 over HTTP ÷ internal enqueue'],
      ['enqueue.1000', 'createJobs of 1,000 over HTTP ÷ internal enqueue'],
    ])
      out.push(`${what}: ${fmtRate(d[id])} / ${fmtRate(internal.figures[id])} = ${ratio(d[id], internal.figures[id])}`);
  return out;
}
