import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh TASKS_DIR outside the repository holding these task modules (file name → source). */
export function writeTasksDir(modules: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'jobs-web-tasks-'));
  for (const [file, source] of Object.entries(modules)) writeFileSync(join(dir, file), source);
  return dir;
}

/**
 * The modules the browser suites share: `order` (a payload schema with every kind of field the form
 * makes), `chatty` (logs `lines` lines, one every `intervalMs` (5 over about a second)) and `flaky` (always throws).
 */
export const TASK_MODULES: Record<string, string> = {
  'order.mjs': `
export default {
  name: 'order.place',
  description: 'Places an order for a customer (a test task module)',
  payload: {
    type: 'object',
    required: ['customer', 'quantity'],
    additionalProperties: false,
    properties: {
      customer: { type: 'string', minLength: 2, description: 'Who the order is for' },
      quantity: { type: 'integer', minimum: 1, maximum: 10, default: 1, description: 'How many, 1 to 10' },
      express: { type: 'boolean', description: 'Ship the same day' },
      channel: { enum: ['email', 'sms'], description: 'How to confirm' },
      address: {
        type: 'object',
        required: ['city'],
        properties: { city: { type: 'string', minLength: 1 }, zip: { type: 'string', pattern: '^[0-9]{5}$' } },
      },
      tags: { type: 'array', maxItems: 3, items: { type: 'string', minLength: 1 } },
    },
  },
  handler(job, ctx) {
    ctx.log('order placed', { customer: job.payload.customer });
    return { ok: true, payload: job.payload };
  },
};
`,
  'chatty.mjs': `
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export default {
  name: 'chatty',
  description: 'Logs a few lines over about a second',
  payload: {
    type: 'object',
    properties: {
      lines: { type: 'integer', minimum: 1, maximum: 200, default: 5 },
      intervalMs: { type: 'integer', minimum: 0, maximum: 1000, default: 200 },
    },
  },
  async handler(job, ctx) {
    const lines = job.payload.lines ?? 5;
    const intervalMs = job.payload.intervalMs ?? 200;
    const levels = ['debug', 'info', 'warn', 'error'];
    for (let i = 1; i <= lines; i++) {
      await sleep(intervalMs);
      ctx.log[levels[i % levels.length]]('chatty line ' + i, { i });
    }
    return { lines };
  },
};
`,
  'flaky.mjs': `
function failDeep(attempt) {
  throw new Error('flaky failed on attempt ' + attempt);
}
export default {
  name: 'flaky',
  description: 'Always fails',
  defaults: { maxAttempts: 2, backoff: { kind: 'fixed', baseMs: 100, maxMs: 100, jitter: false } },
  handler(job, ctx) {
    ctx.log.warn('about to fail', { attempt: ctx.attempt });
    failDeep(ctx.attempt);
  },
};
`,
};
