/** The remote side of `bench:remote`: one client Worker process with a no-op task (env JOBS_URL, CONCURRENCY). */
import { Worker, defineTask } from '@jobs/client';

const noop = defineTask({ name: 'bench.remote-noop', defaults: { queue: 'bench-remote' }, handler: () => null });
const worker = new Worker({ url: process.env.JOBS_URL!, tasks: [noop], concurrency: Number(process.env.CONCURRENCY ?? 50), graceMs: 1000 });
void worker.ready.then((id) => console.log(`registered ${id}`));
await worker.run();
