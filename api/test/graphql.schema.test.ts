import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printAppSchema } from '../src/graphql/schema.js';

describe('schema.graphql', () => {
  it('is exactly what the server prints (run `npm run schema` after changing resolvers)', async () => {
    const committed = readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(await printAppSchema()).toBe(committed);
  });

  it('keeps every name of the contract', async () => {
    const printed = await printAppSchema();
    for (const name of [
      'jobs(',
      'job(id: ID!): Job',
      'jobStats: JobStats!',
      'createJob(input: CreateJobInput!): Job!',
      'createJobs(inputs: [CreateJobInput!]!): [Job!]!',
      'runJob(id: ID!): Job!',
      'cancelJob(id: ID!): Job!',
      'deleteJob(id: ID!): Boolean!',
      'jobUpdated(id: ID): Job!',
      'jobCreated: Job!',
      'webhookLogAdded(jobId: ID): WebhookLog!',
      'scalar DateTime',
      'scalar JSON',
      'enum JobSort',
    ]) {
      expect(printed).toContain(name);
    }
  });
});
