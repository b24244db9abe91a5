import { Migration } from '@mikro-orm/migrations';

export class Migration20261128100740_initial extends Migration {

  override name = 'Migration20261128100740_initial';

  override up(): void | Promise<void> {
    this.addSql(`create table \`jobs\` (\`id\` int unsigned not null auto_increment primary key, \`task_name\` varchar(255) not null, \`payload\` json null, \`priority\` tinyint not null default 0, \`status\` varchar(16) not null default 'PENDING', \`attempts\` int not null default 0, \`max_attempts\` int not null default 3, \`last_error\` text null, \`progress\` double not null default 0, \`result\` json null, \`run_at\` datetime(3) not null, \`created_at\` datetime(3) not null, \`updated_at\` datetime(3) not null, \`started_at\` datetime(3) null, \`completed_at\` datetime(3) null, \`run_duration_ms\` int null, \`timeout_ms\` int null, \`webhook_url\` varchar(2048) null, \`idempotency_key\` varchar(255) null, \`schedule_id\` int null, \`schedule_tick_at\` datetime(3) null, \`lease_owner\` varchar(64) null, \`lease_expires_at\` datetime(3) null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`jobs\` add index \`jobs_created_idx\` (\`created_at\`);`);
    this.addSql(`alter table \`jobs\` add index \`jobs_updated_idx\` (\`updated_at\`);`);
    this.addSql(`alter table \`jobs\` add unique \`jobs_idempotency_key_unique\` (\`idempotency_key\`);`);
    this.addSql(`alter table \`jobs\` add index \`jobs_lease_idx\` (\`status\`, \`lease_expires_at\`);`);
    this.addSql(`alter table \`jobs\` add index \`jobs_task_created_idx\` (\`task_name\`, \`created_at\`);`);
    this.addSql(`alter table \`jobs\` add index \`jobs_priority_created_idx\` (\`priority\`, \`created_at\`);`);
    this.addSql(`alter table \`jobs\` add index \`jobs_status_created_idx\` (\`status\`, \`created_at\`);`);
    this.addSql(`alter table \`jobs\` add index \`jobs_claim_idx\` (\`status\`, \`priority\` DESC, \`run_at\`, \`id\`);`);
    this.addSql(`alter table \`jobs\` add unique \`jobs_schedule_tick_unique\` (\`schedule_id\`, \`schedule_tick_at\`);`);

    this.addSql(`create table \`queue_state\` (\`name\` varchar(64) not null, \`paused\` tinyint(1) not null default false, \`updated_at\` datetime(3) not null, primary key (\`name\`)) default character set utf8mb4 engine = InnoDB;`);

    this.addSql(`create table \`schedules\` (\`id\` int unsigned not null auto_increment primary key, \`name\` varchar(255) not null, \`cron\` varchar(255) not null, \`timezone\` varchar(64) not null default 'UTC', \`task_name\` varchar(255) not null, \`payload\` json null, \`priority\` tinyint not null default 0, \`enabled\` tinyint(1) not null default true, \`next_run_at\` datetime(3) null, \`last_run_at\` datetime(3) null, \`created_at\` datetime(3) not null, \`updated_at\` datetime(3) not null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`schedules\` add unique \`schedules_name_unique\` (\`name\`);`);
    this.addSql(`alter table \`schedules\` add index \`schedules_next_run_idx\` (\`next_run_at\`);`);

    this.addSql(`create table \`webhook_deliveries\` (\`id\` int unsigned not null auto_increment primary key, \`job_id\` int not null, \`message_id\` varchar(64) not null, \`url\` varchar(2048) not null, \`trusted\` tinyint(1) not null default false, \`body\` text not null, \`status\` varchar(16) not null default 'PENDING', \`attempts\` int not null default 0, \`first_attempt\` int not null default 1, \`next_attempt_at\` datetime(3) not null, \`lease_owner\` varchar(64) null, \`lease_expires_at\` datetime(3) null, \`created_at\` datetime(3) not null, \`updated_at\` datetime(3) not null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`webhook_deliveries\` add index \`webhook_deliveries_job_idx\` (\`job_id\`);`);
    this.addSql(`alter table \`webhook_deliveries\` add index \`webhook_deliveries_due_idx\` (\`status\`, \`next_attempt_at\`);`);

    this.addSql(`create table \`webhook_logs\` (\`id\` int unsigned not null auto_increment primary key, \`job_id\` int not null, \`url\` varchar(2048) not null, \`request_body\` json null, \`response_status\` int null, \`response_body\` text null, \`attempt\` int not null, \`error\` text null, \`duration_ms\` int null, \`created_at\` datetime(3) not null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`webhook_logs\` add index \`webhook_logs_job_idx\` (\`job_id\`);`);
    this.addSql(`alter table \`webhook_logs\` add index \`webhook_logs_created_idx\` (\`created_at\`);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`jobs\`;`);
    this.addSql(`drop table if exists \`queue_state\`;`);
    this.addSql(`drop table if exists \`schedules\`;`);
    this.addSql(`drop table if exists \`webhook_deliveries\`;`);
    this.addSql(`drop table if exists \`webhook_logs\`;`);
  }

}
