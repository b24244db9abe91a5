import { Migration } from '@mikro-orm/migrations';

/** Retention: one pruner at a time across processes (a lease row), and each queue's own retention per final status. */
export class Migration20261202140533_retention extends Migration {

  override name = 'Migration20261202140533_retention';

  override up(): void | Promise<void> {
    this.addSql(`create table \`leases\` (\`name\` varchar(64) not null, \`owner\` varchar(128) not null, \`expires_at\` datetime(3) not null, primary key (\`name\`)) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`queue_state\` add \`retention_completed_ms\` bigint null, add \`retention_failed_ms\` bigint null, add \`retention_cancelled_ms\` bigint null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`leases\`;`);
    this.addSql(`alter table \`queue_state\` drop column \`retention_completed_ms\`, drop column \`retention_failed_ms\`, drop column \`retention_cancelled_ms\`;`);
  }

}
