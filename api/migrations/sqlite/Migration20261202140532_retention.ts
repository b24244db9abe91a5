import { Migration } from '@mikro-orm/migrations';

/** Retention: one pruner at a time across processes (a lease row), and each queue's own retention per final status. */
export class Migration20261202140532_retention extends Migration {

  override name = 'Migration20261202140532_retention';

  override up(): void | Promise<void> {
    this.addSql(`create table \`leases\` (\`name\` text not null primary key, \`owner\` text not null, \`expires_at\` datetime not null);`);
    this.addSql(`alter table \`queue_state\` add column \`retention_completed_ms\` bigint null;`);
    this.addSql(`alter table \`queue_state\` add column \`retention_failed_ms\` bigint null;`);
    this.addSql(`alter table \`queue_state\` add column \`retention_cancelled_ms\` bigint null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`leases\`;`);
    this.addSql(`alter table \`queue_state\` drop column \`retention_completed_ms\`;`);
    this.addSql(`alter table \`queue_state\` drop column \`retention_failed_ms\`;`);
    this.addSql(`alter table \`queue_state\` drop column \`retention_cancelled_ms\`;`);
  }

}
