import { Migration } from '@mikro-orm/migrations';

/**
 * Task history: one row per failed attempt (`job_errors`), the lines handlers log (`job_logs`), and how
 * often a job snoozed (`jobs.snoozes`, so a snooze costs no attempt but cannot repeat forever).
 */
export class Migration20261201232419_task_history extends Migration {

  override name = 'Migration20261201232419_task_history';

  override up(): void | Promise<void> {
    this.addSql(`create table \`job_errors\` (\`id\` integer not null primary key autoincrement, \`job_id\` integer not null, \`attempt\` integer not null, \`at\` datetime not null, \`message\` text not null, \`stack\` text null, \`worker\` text null);`);
    this.addSql(`create index \`job_errors_job_idx\` on \`job_errors\` (\`job_id\`, \`attempt\`);`);

    this.addSql(`create table \`job_logs\` (\`id\` integer not null primary key autoincrement, \`job_id\` integer not null, \`seq\` integer not null, \`at\` datetime not null, \`level\` text not null, \`message\` text not null, \`data\` json null);`);
    this.addSql(`create unique index \`job_logs_job_seq_unique\` on \`job_logs\` (\`job_id\`, \`seq\`);`);

    this.addSql(`alter table \`jobs\` add column \`snoozes\` integer not null default 0;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`job_errors\`;`);
    this.addSql(`drop table if exists \`job_logs\`;`);

    this.addSql(`alter table \`jobs\` drop column \`snoozes\`;`);
  }

}
