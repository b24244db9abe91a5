import { Migration } from '@mikro-orm/migrations';

export class Migration20261202211559_alerts extends Migration {

  override name = 'Migration20261202211559_alerts';

  override up(): void | Promise<void> {
    this.addSql(`create table \`alerts\` (\`id\` int unsigned not null auto_increment primary key, \`kind\` varchar(32) not null, \`rule_id\` int null, \`queue\` varchar(64) null, \`task_name\` varchar(255) null, \`endpoint_id\` int null, \`state\` varchar(16) not null default 'FIRING', \`value\` double not null, \`threshold\` double not null, \`fired_at\` datetime(3) not null, \`resolved_at\` datetime(3) null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`alerts\` add index \`alerts_rule_idx\` (\`rule_id\`);`);
    this.addSql(`alter table \`alerts\` add index \`alerts_fired_idx\` (\`fired_at\`);`);

    this.addSql(`create table \`alert_rules\` (\`id\` int unsigned not null auto_increment primary key, \`kind\` varchar(32) not null, \`queue\` varchar(64) null, \`task_name\` varchar(255) null, \`threshold\` double not null, \`window_ms\` int not null default 60000, \`min_count\` int not null default 1, \`cooldown_ms\` int not null default 0, \`enabled\` tinyint(1) not null default true, \`last_fired_at\` datetime(3) null, \`created_at\` datetime(3) not null, \`updated_at\` datetime(3) not null) default character set utf8mb4 engine = InnoDB;`);

  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`alerts\`;`);
    this.addSql(`drop table if exists \`alert_rules\`;`);

  }

}
