import { Migration } from '@mikro-orm/migrations';

export class Migration20261202135904_webhook_endpoints extends Migration {

  override name = 'Migration20261202135904_webhook_endpoints';

  override up(): void | Promise<void> {
    this.addSql(`create table \`webhook_endpoints\` (\`id\` integer not null primary key autoincrement, \`url\` text not null, \`description\` text not null default '', \`event_types\` json not null, \`queues\` json null, \`task_names\` json null, \`enabled\` integer not null default true, \`built_in\` integer not null default false, \`secret\` text not null, \`previous_secret\` text null, \`previous_secret_until\` datetime null, \`created_at\` datetime not null, \`updated_at\` datetime not null);`);


    this.addSql(`alter table \`webhook_deliveries\` add column \`endpoint_id\` integer null;`);
    this.addSql(`create index \`webhook_deliveries_endpoint_idx\` on \`webhook_deliveries\` (\`endpoint_id\`, \`id\`);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`webhook_endpoints\`;`);


    this.addSql(`drop index \`webhook_deliveries_endpoint_idx\`;`);
    this.addSql(`alter table \`webhook_deliveries\` drop column \`endpoint_id\`;`);
  }

}
