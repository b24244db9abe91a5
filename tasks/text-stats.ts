/**
 * An example task module: counts the words, lines and characters of a text and fingerprints it.
 * Task modules in this folder (or in TASKS_DIR) load when the server starts; this one needs no import:
 * its default export is a plain object of the task's shape (wrap it in `defineTask` from the api
 * package's `tasks` export for types).
 *
 *   mutation { createJob(input: { taskName: "text.stats", payload: { text: "Hello there, world" } }) { id } }
 */
import { createHash } from 'node:crypto';

interface Payload {
  text: string;
  /** Words to count separately, case-insensitive. */
  watch?: string[];
}

export default {
  name: 'text.stats',
  description: 'Counts the words, lines and characters of a text, how often watched words occur, and its SHA-256.',
  payload: {
    type: 'object',
    required: ['text'],
    additionalProperties: false,
    properties: {
      text: { type: 'string', minLength: 1, maxLength: 60000, description: 'The text to measure' },
      watch: { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 20, description: 'Words to count, case-insensitive' },
    },
  },
  defaults: { maxAttempts: 2, timeoutMs: 10_000 },
  handler(job: { payload: Payload }, ctx: { log: (message: string, data?: unknown) => void; progress: (share: number) => void }) {
    const { text, watch = [] } = job.payload;
    const words = text.split(/\s+/).filter(Boolean);
    ctx.log(`measuring ${text.length} characters`, { words: words.length });
    ctx.progress(0.5);
    const counts: Record<string, number> = {};
    for (const w of watch)
      counts[w] = words.filter((word) => word.toLowerCase().replace(/[^\p{L}\p{N}'-]/gu, '') === w.toLowerCase()).length;
    return {
      characters: text.length,
      words: words.length,
      lines: text.split('\n').length,
      watched: counts,
      sha256: createHash('sha256').update(text).digest('hex'),
    };
  },
};
