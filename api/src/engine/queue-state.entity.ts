import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/** Shared queue switches, read by every worker process (pause/resume). */
@Entity({ tableName: 'queue_state' })
export class QueueState {
  @PrimaryKey({ type: 'string', length: 64 })
  name!: string;

  @Property({ type: 'boolean', default: false })
  paused = false;

  @Property({ type: 'datetime', length: 3, onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
