import { Field, ID, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar, JSONScalar } from '../graphql/scalars.js';

/** One request the test receiver got, valid or not, as the dashboard shows it. */
@ObjectType({
  description: 'A request received by the test receiver POST /api/webhook-test (newest first; the last 100 are kept in memory)',
})
export class ReceivedWebhook {
  @Field(() => ID)
  id!: number;

  @Field(() => DateTimeScalar)
  receivedAt!: Date;

  @Field(() => Boolean, { description: 'Whether the signatures checked out (the receiver answered 200)' })
  valid!: boolean;

  @Field(() => String, { nullable: true, description: 'Why it was refused with 401' })
  reason!: string | null;

  @Field(() => Boolean, { description: 'Whether the Standard Webhooks headers were present (and checked)' })
  standardWebhooks!: boolean;

  @Field(() => String, { nullable: true, description: 'The webhook-id header' })
  webhookId!: string | null;

  @Field(() => String, { nullable: true, description: 'The type field of the body, e.g. job.completed' })
  type!: string | null;

  @Field(() => ID, { nullable: true })
  jobId!: number | null;

  @Field(() => JSONScalar, { nullable: true, description: 'The body as JSON, or as text when it is not JSON; null above 128 KiB' })
  body!: unknown;

  @Field(() => Int)
  bodyBytes!: number;
}

export const RECEIVED_KEPT = 100;

/** The receiver's memory: a ring of the last 100 requests, per process. */
export class ReceivedWebhooks {
  private readonly items: ReceivedWebhook[] = [];
  private nextId = 1;

  constructor(private readonly capacity = RECEIVED_KEPT) {}

  add(entry: Omit<ReceivedWebhook, 'id'>): ReceivedWebhook {
    const item = Object.assign(new ReceivedWebhook(), entry, { id: this.nextId++ });
    this.items.push(item);
    if (this.items.length > this.capacity) this.items.splice(0, this.items.length - this.capacity);
    return item;
  }

  /** Newest first. */
  list(limit = this.capacity): ReceivedWebhook[] {
    return this.items.slice(-Math.max(0, limit)).reverse();
  }
}
