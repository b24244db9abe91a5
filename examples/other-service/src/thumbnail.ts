import { defineTask, NonRetryableError } from '@jobs/client';

/**
 * A task module written exactly as an in-process one in the scheduler's `tasks/` folder: the same
 * `defineTask`, schema, defaults and context. Here it runs in this service, next to the code it needs.
 */
export default defineTask<{ image: string; width: number }>({
  name: 'thumbnail.render',
  description: 'Renders a thumbnail of an image (simulated: 50 ms per 100 px of width)',
  payload: {
    type: 'object',
    required: ['image', 'width'],
    properties: { image: { type: 'string', minLength: 1 }, width: { type: 'integer', minimum: 16, maximum: 2048 } },
  },
  // A task only remote workers run waits in a queue of its own, which the scheduler's workers leave alone.
  defaults: { queue: 'thumbnails', maxAttempts: 3 },
  async handler(job, ctx) {
    if (job.payload.image.endsWith('.txt')) throw new NonRetryableError(`${job.payload.image} is not an image`);
    const steps = Math.max(1, Math.round(job.payload.width / 100));
    for (let step = 1; step <= steps; step++) {
      ctx.signal.throwIfAborted();
      await new Promise((resolve) => setTimeout(resolve, 50));
      ctx.progress(step / steps);
    }
    ctx.log('rendered', { image: job.payload.image, width: job.payload.width });
    return { thumbnail: `${job.payload.image}@${job.payload.width}w.png`, renderedBy: ctx.worker };
  },
});
