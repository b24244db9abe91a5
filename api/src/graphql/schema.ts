import 'reflect-metadata';
import { printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { JobsResolver } from '../jobs/jobs.resolver.js';
import { createInProcessPubSub, type PubSub } from './pubsub.js';

export const resolvers = [JobsResolver] as const;

export async function buildAppSchema(pubSub: PubSub = createInProcessPubSub()): Promise<GraphQLSchema> {
  return buildSchema({ resolvers, pubSub, validate: false });
}

/** The text committed as the root `schema.graphql`: the reviewed contract. */
export async function printAppSchema(): Promise<string> {
  return `${printSchema(await buildAppSchema())}\n`;
}
