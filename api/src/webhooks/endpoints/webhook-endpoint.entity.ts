import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { BigIntType, OptionalProps } from '@mikro-orm/core';

const ms = () => ({ type: 'datetime', length: 3 }) as const;

/**
 * A receiver the operator registered: which events it gets and the secret they are signed with.
 * The one row with `builtIn` set holds only whether OUTBOUND_WEBHOOK is enabled (its URL and secret
 * come from the environment).
 */
@Entity({ tableName: 'webhook_endpoints' })
export class WebhookEndpoint {
  [OptionalProps]?:
    'enabled' | 'builtIn' | 'createdAt' | 'updatedAt' | 'description' | 'disableAfterFailures' | 'disableAfterMs' | 'consecutiveFailures';

  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 2048 })
  url!: string;

  @Property({ type: 'string', length: 500, default: '' })
  description = '';

  /** Event type names (`job.completed`, …) as a JSON array. */
  @Property({ type: 'json' })
  eventTypes!: string[];

  /** Only jobs of these queues; null for every queue. */
  @Property({ type: 'json', nullable: true })
  queues?: string[] | null;

  /** Only jobs of these tasks; null for every task. */
  @Property({ type: 'json', nullable: true })
  taskNames?: string[] | null;

  @Property({ type: 'boolean', default: true })
  enabled = true;

  @Property({ type: 'boolean', default: false })
  builtIn = false;

  /** The `whsec_…` string: stored as given because the seed's `X-Signature` is keyed with it. */
  @Property({ type: 'string', length: 128 })
  secret!: string;

  /** The secret before the last rotation, still signing beside the new one until `previousSecretUntil`. */
  @Property({ type: 'string', length: 128, nullable: true })
  previousSecret?: string | null;

  @Property({ ...ms(), nullable: true })
  previousSecretUntil?: Date | null;

  /** Disabled after this many consecutive failed messages (retries used up)… */
  @Property({ type: 'integer', default: 20 })
  disableAfterFailures = 20;

  /** …spanning at least this long, from the first of them to the last. */
  @Property({ type: new BigIntType('number'), default: 86_400_000 })
  disableAfterMs = 86_400_000;

  /** Failed messages since the last delivered one: the auto-disable streak. */
  @Property({ type: 'integer', default: 0 })
  consecutiveFailures = 0;

  /** When the first message of the current streak failed; null while the streak is 0. */
  @Property({ ...ms(), nullable: true })
  failingSince?: Date | null;

  /** Why the endpoint was disabled by itself; null when enabled or disabled by hand. */
  @Property({ type: 'string', length: 500, nullable: true })
  disabledReason?: string | null;

  @Property({ ...ms(), nullable: true })
  disabledAt?: Date | null;

  /** Attempts in flight to the endpoint at once, per sending process; null: no limit of its own. */
  @Property({ type: 'integer', nullable: true })
  concurrencyLimit?: number | null;

  /** At most rateLimitMax attempts start per sliding rateLimitPerMs, per sending process; null: no limit. */
  @Property({ type: 'integer', nullable: true })
  rateLimitMax?: number | null;

  @Property({ type: 'integer', nullable: true })
  rateLimitPerMs?: number | null;

  @Property(ms())
  createdAt: Date = new Date();

  @Property({ ...ms(), onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
