import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { OptionalProps } from '@mikro-orm/core';

const ms = () => ({ type: 'datetime', length: 3 }) as const;

/** A condition the evaluator checks every interval; one fire while it holds, one resolve when it stops. */
@Entity({ tableName: 'alert_rules' })
export class AlertRule {
  [OptionalProps]?: 'enabled' | 'createdAt' | 'updatedAt' | 'minCount' | 'cooldownMs' | 'windowMs';

  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 32 })
  kind!: string;

  @Property({ type: 'string', length: 64, nullable: true })
  queue?: string | null;

  @Property({ type: 'string', length: 255, nullable: true })
  taskName?: string | null;

  @Property({ type: 'double' })
  threshold!: number;

  @Property({ type: 'integer', default: 60000 })
  windowMs = 60_000;

  @Property({ type: 'integer', default: 1 })
  minCount = 1;

  @Property({ type: 'integer', default: 0 })
  cooldownMs = 0;

  @Property({ type: 'boolean', default: true })
  enabled = true;

  /** The last fire, so `cooldownMs` holds between two fires even after the alert resolved. */
  @Property({ ...ms(), nullable: true })
  lastFiredAt?: Date | null;

  @Property(ms())
  createdAt: Date = new Date();

  @Property({ ...ms(), onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}

/** One fire of a rule (or of the system, `ruleId` null), FIRING until it resolves. */
@Entity({ tableName: 'alerts' })
@Index({ name: 'alerts_fired_idx', properties: ['firedAt'] })
export class Alert {
  [OptionalProps]?: 'resolvedAt' | 'state';

  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 32 })
  kind!: string;

  @Property({ type: 'integer', nullable: true, index: 'alerts_rule_idx' })
  ruleId?: number | null;

  @Property({ type: 'string', length: 64, nullable: true })
  queue?: string | null;

  @Property({ type: 'string', length: 255, nullable: true })
  taskName?: string | null;

  @Property({ type: 'integer', nullable: true })
  endpointId?: number | null;

  @Property({ type: 'string', length: 16, default: 'FIRING' })
  state = 'FIRING';

  @Property({ type: 'double' })
  value!: number;

  @Property({ type: 'double' })
  threshold!: number;

  @Property(ms())
  firedAt: Date = new Date();

  @Property({ ...ms(), nullable: true })
  resolvedAt?: Date | null;
}
