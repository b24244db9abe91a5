import { Migration } from '@mikro-orm/migrations';

export class Migration20261202213610_schedule_policies extends Migration {

  override name = 'Migration20261202213610_schedule_policies';

  override up(): void | Promise<void> {
    this.addSql(`create table \`schedule_fires\` (\`id\` int unsigned not null auto_increment primary key, \`schedule_id\` int not null, \`tick_at\` datetime(3) not null, \`outcome\` varchar(16) not null, \`job_id\` int null, \`reason\` varchar(255) null, \`created_at\` datetime(3) not null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`schedule_fires\` add index \`schedule_fires_schedule_idx\` (\`schedule_id\`, \`id\`);`);


    this.addSql(`alter table \`schedules\` add \`overlap\` varchar(16) not null default 'ALLOW', add \`misfire\` varchar(16) not null default 'RUN_ONCE', add \`last_job_id\` int null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`schedule_fires\`;`);


    this.addSql(`alter table \`schedules\` drop column \`overlap\`, drop column \`misfire\`, drop column \`last_job_id\`;`);
  }

}
