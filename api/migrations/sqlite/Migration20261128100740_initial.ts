import { Migration } from '@mikro-orm/migrations';

export class Migration20261128100740_initial extends Migration {

  override name = 'Migration20261128100740_initial';

  override up(): void | Promise<void> {
    this.addSql(`create table \`jobs\` (\`id\` integer not null primary key autoincrement, \`task_name\` text not null, \`payload\` json null, \`priority\` integer not null default 0, \`status\` text not null default 'PENDING', \`attempts\` integer not null default 0, \`max_attempts\` integer not null default 3, \`last_error\` text null, \`progress\` double not null default 0, \`result\` json null, \`run_at\` datetime not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`started_at\` datetime null, \`completed_at\` datetime null, \`run_duration_ms\` integer null, \`timeout_ms\` integer null, \`webhook_url\` text null, \`idempotency_key\` text null, \`schedule_id\` integer null, \`schedule_tick_at\` datetime null, \`lease_owner\` text null, \`lease_expires_at\` datetime null);`);
    this.addSql(`create index \`jobs_created_idx\` on \`jobs\` (\`created_at\`);`);
    this.addSql(`create index \`jobs_updated_idx\` on \`jobs\` (\`updated_at\`);`);
    this.addSql(`create unique index \`jobs_idempotency_key_unique\` on \`jobs\` (\`idempotency_key\`);`);
    this.addSql(`create index \`jobs_lease_idx\` on \`jobs\` (\`status\`, \`lease_expires_at\`);`);
    this.addSql(`create index \`jobs_task_created_idx\` on \`jobs\` (\`task_name\`, \`created_at\`);`);
    this.addSql(`create index \`jobs_priority_created_idx\` on \`jobs\` (\`priority\`, \`created_at\`);`);
    this.addSql(`create index \`jobs_status_created_idx\` on \`jobs\` (\`status\`, \`created_at\`);`);
    this.addSql(`create index \`jobs_claim_idx\` on \`jobs\` (\`status\`, \`priority\` DESC, \`run_at\`, \`id\`);`);
    this.addSql(`create unique index \`jobs_schedule_tick_unique\` on \`jobs\` (\`schedule_id\`, \`schedule_tick_at\`);`);

    this.addSql(`create table \`queue_state\` (\`name\` text not null primary key, \`paused\` integer not null default false, \`updated_at\` datetime not null);`);

    this.addSql(`create table \`schedules\` (\`id\` integer not null primary key autoincrement, \`name\` text not null, \`cron\` text not null, \`timezone\` text not null default 'UTC', \`task_name\` text not null, \`payload\` json null, \`priority\` integer not null default 0, \`enabled\` integer not null default true, \`next_run_at\` datetime null, \`last_run_at\` datetime null, \`created_at\` datetime not null, \`updated_at\` datetime not null);`);
    this.addSql(`create unique index \`schedules_name_unique\` on \`schedules\` (\`name\`);`);
    this.addSql(`create index \`schedules_next_run_idx\` on \`schedules\` (\`next_run_at\`);`);

    this.addSql(`create table \`webhook_deliveries\` (\`id\` integer not null primary key autoincrement, \`job_id\` integer not null, \`message_id\` text not null, \`url\` text not null, \`trusted\` integer not null default false, \`body\` text not null, \`status\` text not null default 'PENDING', \`attempts\` integer not null default 0, \`first_attempt\` integer not null default 1, \`next_attempt_at\` datetime not null, \`lease_owner\` text null, \`lease_expires_at\` datetime null, \`created_at\` datetime not null, \`updated_at\` datetime not null);`);
    this.addSql(`create index \`webhook_deliveries_job_idx\` on \`webhook_deliveries\` (\`job_id\`);`);
    this.addSql(`create index \`webhook_deliveries_due_idx\` on \`webhook_deliveries\` (\`status\`, \`next_attempt_at\`);`);

    this.addSql(`create table \`webhook_logs\` (\`id\` integer not null primary key autoincrement, \`job_id\` integer not null, \`url\` text not null, \`request_body\` json null, \`response_status\` integer null, \`response_body\` text null, \`attempt\` integer not null, \`error\` text null, \`duration_ms\` integer null, \`created_at\` datetime not null);`);
    this.addSql(`create index \`webhook_logs_job_idx\` on \`webhook_logs\` (\`job_id\`);`);
    this.addSql(`create index \`webhook_logs_created_idx\` on \`webhook_logs\` (\`created_at\`);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`jobs\`;`);
    this.addSql(`drop table if exists \`queue_state\`;`);
    this.addSql(`drop table if exists \`schedules\`;`);
    this.addSql(`drop table if exists \`webhook_deliveries\`;`);
    this.addSql(`drop table if exists \`webhook_logs\`;`);
  }

}
