import { Field, ObjectType, Query, Resolver } from 'type-graphql';
import { JSONScalar } from '../graphql/scalars.js';
import { WEBHOOK_EVENT_TYPES, type JsonSchema } from './event-types.js';

@ObjectType({ description: 'A kind of webhook message, with the JSON Schema (draft 2020-12) of its body' })
export class WebhookEventType {
  @Field(() => String, {
    description: 'The body\'s "type": job.completed, job.failed, job.cancelled, alert.fired, alert.resolved, webhook.test',
  })
  name!: string;

  @Field(() => String)
  description!: string;

  @Field(() => JSONScalar, { description: 'JSON Schema (draft 2020-12) of the body; receivers can generate types from it' })
  schema!: JsonSchema;
}

@Resolver()
export class WebhookEventTypesResolver {
  @Query(() => [WebhookEventType], { description: 'Every webhook event type with the JSON Schema of its body (viewers too)' })
  webhookEventTypes(): WebhookEventType[] {
    return WEBHOOK_EVENT_TYPES.map(({ name, description, schema }) => ({ name, description, schema }));
  }
}
