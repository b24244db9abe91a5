import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/**
 * A named task that one process at a time may run across the cluster (the pruner): the owner holds
 * it until `expiresAt` and renews it while it works; another process takes it over once it lapsed.
 */
@Entity({ tableName: 'leases' })
export class Lease {
  @PrimaryKey({ type: 'string', length: 64 })
  name!: string;

  @Property({ type: 'string', length: 128 })
  owner!: string;

  @Property({ type: 'datetime', length: 3 })
  expiresAt!: Date;
}
