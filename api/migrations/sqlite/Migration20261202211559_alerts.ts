import { Migration } from '@mikro-orm/migrations';

export class Migration20261202211559_alerts extends Migration {

  override name = 'Migration20261202211559_alerts';

  override up(): void | Promise<void> {
    this.addSql(`create table \`alerts\` (\`id\` integer not null primary key autoincrement, \`kind\` text not null, \`rule_id\` integer null, \`queue\` text null, \`task_name\` text null, \`endpoint_id\` integer null, \`state\` text not null default 'FIRING', \`value\` double not null, \`threshold\` double not null, \`fired_at\` datetime not null, \`resolved_at\` datetime null);`);
    this.addSql(`create index \`alerts_rule_idx\` on \`alerts\` (\`rule_id\`);`);
    this.addSql(`create index \`alerts_fired_idx\` on \`alerts\` (\`fired_at\`);`);

    this.addSql(`create table \`alert_rules\` (\`id\` integer not null primary key autoincrement, \`kind\` text not null, \`queue\` text null, \`task_name\` text null, \`threshold\` double not null, \`window_ms\` integer not null default 60000, \`min_count\` integer not null default 1, \`cooldown_ms\` integer not null default 0, \`enabled\` integer not null default true, \`last_fired_at\` datetime null, \`created_at\` datetime not null, \`updated_at\` datetime not null);`);

  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`alerts\`;`);
    this.addSql(`drop table if exists \`alert_rules\`;`);

  }

}
