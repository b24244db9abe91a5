import { Migration } from '@mikro-orm/migrations';

export class Migration20261202213610_schedule_policies extends Migration {

  override name = 'Migration20261202213610_schedule_policies';

  override up(): void | Promise<void> {
    this.addSql(`create table \`schedule_fires\` (\`id\` integer not null primary key autoincrement, \`schedule_id\` integer not null, \`tick_at\` datetime not null, \`outcome\` text not null, \`job_id\` integer null, \`reason\` text null, \`created_at\` datetime not null);`);
    this.addSql(`create index \`schedule_fires_schedule_idx\` on \`schedule_fires\` (\`schedule_id\`, \`id\`);`);


    this.addSql(`alter table \`schedules\` add column \`overlap\` text not null default 'ALLOW';`);
    this.addSql(`alter table \`schedules\` add column \`misfire\` text not null default 'RUN_ONCE';`);
    this.addSql(`alter table \`schedules\` add column \`last_job_id\` integer null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`schedule_fires\`;`);


    this.addSql(`alter table \`schedules\` drop column \`overlap\`;`);
    this.addSql(`alter table \`schedules\` drop column \`misfire\`;`);
    this.addSql(`alter table \`schedules\` drop column \`last_job_id\`;`);
  }

}
