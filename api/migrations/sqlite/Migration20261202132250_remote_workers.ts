import { Migration } from '@mikro-orm/migrations';

export class Migration20261202132250_remote_workers extends Migration {

  override name = 'Migration20261202132250_remote_workers';

  override up(): void | Promise<void> {
    this.addSql(`create table \`workers\` (\`id\` text not null primary key, \`name\` text not null, \`host\` text not null, \`kind\` text not null, \`queues\` json not null, \`tasks\` json not null, \`concurrency\` integer not null, \`lease_ms\` integer not null, \`version\` text null, \`started_at\` datetime not null, \`last_heartbeat_at\` datetime not null);`);
    this.addSql(`create index \`workers_heartbeat_idx\` on \`workers\` (\`last_heartbeat_at\`);`);

    this.addSql(`alter table \`queue_state\` add column \`remote\` integer not null default false;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`workers\`;`);

    this.addSql(`alter table \`queue_state\` drop column \`remote\`;`);
  }

}
