import { Migration } from '@mikro-orm/migrations';

export class Migration20261202135905_webhook_endpoints extends Migration {

  override name = 'Migration20261202135905_webhook_endpoints';

  override up(): void | Promise<void> {
    this.addSql(`create table \`webhook_endpoints\` (\`id\` int unsigned not null auto_increment primary key, \`url\` varchar(2048) not null, \`description\` varchar(500) not null default '', \`event_types\` json not null, \`queues\` json null, \`task_names\` json null, \`enabled\` tinyint(1) not null default true, \`built_in\` tinyint(1) not null default false, \`secret\` varchar(128) not null, \`previous_secret\` varchar(128) null, \`previous_secret_until\` datetime(3) null, \`created_at\` datetime(3) not null, \`updated_at\` datetime(3) not null) default character set utf8mb4 engine = InnoDB;`);


    this.addSql(`alter table \`webhook_deliveries\` add \`endpoint_id\` int null;`);
    this.addSql(`alter table \`webhook_deliveries\` add index \`webhook_deliveries_endpoint_idx\` (\`endpoint_id\`, \`id\`);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`webhook_endpoints\`;`);


    this.addSql(`alter table \`webhook_deliveries\` drop index \`webhook_deliveries_endpoint_idx\`;`);
    this.addSql(`alter table \`webhook_deliveries\` drop column \`endpoint_id\`;`);
  }

}
