import { Migration } from '@mikro-orm/migrations';

export class Migration20261202132252_remote_workers extends Migration {

  override name = 'Migration20261202132252_remote_workers';

  override up(): void | Promise<void> {
    this.addSql(`create table \`workers\` (\`id\` varchar(64) not null, \`name\` varchar(255) not null, \`host\` varchar(255) not null, \`kind\` varchar(8) not null, \`queues\` json not null, \`tasks\` json not null, \`concurrency\` int not null, \`lease_ms\` int not null, \`version\` varchar(64) null, \`started_at\` datetime(3) not null, \`last_heartbeat_at\` datetime(3) not null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`workers\` add index \`workers_heartbeat_idx\` (\`last_heartbeat_at\`);`);

    this.addSql(`alter table \`queue_state\` add \`remote\` tinyint(1) not null default false;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`workers\`;`);

    this.addSql(`alter table \`queue_state\` drop column \`remote\`;`);
  }

}
