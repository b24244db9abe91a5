import { Migration } from '@mikro-orm/migrations';

/**
 * Task history: one row per failed attempt (`job_errors`), the lines handlers log (`job_logs`), and how
 * often a job snoozed (`jobs.snoozes`, so a snooze costs no attempt but cannot repeat forever).
 */
export class Migration20261201232420_task_history extends Migration {

  override name = 'Migration20261201232420_task_history';

  override up(): void | Promise<void> {
    this.addSql(`create table \`job_errors\` (\`id\` int unsigned not null auto_increment primary key, \`job_id\` int not null, \`attempt\` int not null, \`at\` datetime(3) not null, \`message\` text not null, \`stack\` text null, \`worker\` varchar(128) null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`job_errors\` add index \`job_errors_job_idx\` (\`job_id\`, \`attempt\`);`);

    this.addSql(`create table \`job_logs\` (\`id\` int unsigned not null auto_increment primary key, \`job_id\` int not null, \`seq\` int not null, \`at\` datetime(3) not null, \`level\` varchar(8) not null, \`message\` text not null, \`data\` json null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`job_logs\` add unique \`job_logs_job_seq_unique\` (\`job_id\`, \`seq\`);`);

    this.addSql(`alter table \`jobs\` add \`snoozes\` int not null default 0;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`job_errors\`;`);
    this.addSql(`drop table if exists \`job_logs\`;`);

    this.addSql(`alter table \`jobs\` drop column \`snoozes\`;`);
  }

}
