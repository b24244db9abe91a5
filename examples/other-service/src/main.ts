/**
 * Another service using the scheduler: it runs a remote worker for its own task, enqueues a few jobs
 * of it, prints each one as it ends (live, over the jobUpdated subscription), then drains and exits.
 *
 *   JOBS_URL=http://localhost:5000 JOBS_TOKEN=… npm run start -w examples/other-service
 */
import { JobsClient, Worker } from '@jobs/client';
import thumbnail from './thumbnail.ts';

const url = process.env.JOBS_URL ?? 'http://localhost:5000';
// One token may do both here; in production give the worker a `worker` token and the enqueuer an `admin` one.
const token = process.env.JOBS_TOKEN;
const count = Number(process.env.JOBS_COUNT ?? 5);

const worker = new Worker({
  url,
  token: process.env.JOBS_WORKER_TOKEN ?? token,
  tasks: [thumbnail],
  concurrency: 4,
  name: 'other-service',
});
const running = worker.run();
console.log(`worker registered as ${await worker.ready}`);

const jobs = new JobsClient({ url, token });
const finished = new Map<string, string>();
let wanted: string[] | null = null;
let allEnded!: () => void;
const ended = new Promise<void>((resolve) => (allEnded = resolve));
const check = () => {
  if (wanted && wanted.every((id) => finished.has(id))) allEnded();
};
// Subscribed before the jobs exist, so no end is missed.
const unsubscribe = jobs.onJobUpdated(null, (job) => {
  if (job.taskName !== 'thumbnail.render' || (job.status !== 'COMPLETED' && job.status !== 'FAILED') || finished.has(job.id)) return;
  finished.set(job.id, job.status);
  if (!wanted || wanted.includes(job.id)) console.log(`job ${job.id} ${job.status}: ${JSON.stringify(job.result ?? job.lastError)}`);
  check();
});
await new Promise((resolve) => setTimeout(resolve, 300));
const made = await jobs.createJobs(
  Array.from({ length: count }, (_, i) => ({
    taskName: 'thumbnail.render',
    payload: { image: `photo-${i + 1}.jpg`, width: 200 + 100 * i },
  })),
);
wanted = made.map((job) => job.id);
console.log(`enqueued jobs ${wanted.join(', ')} in queue ${made[0].queue}`);
check();

await ended;
unsubscribe();
await worker.stop();
await running;
await jobs.close();
console.log('done');
