import { Migration } from '@mikro-orm/migrations';

export class Migration20261202020925_queues extends Migration {

  override name = 'Migration20261202020925_queues';

  override up(): void | Promise<void> {
    this.addSql(`create table \`queue_starts\` (\`id\` integer not null primary key autoincrement, \`queue\` text not null, \`at\` datetime not null, \`jobs\` integer not null);`);
    this.addSql(`create index \`queue_starts_queue_at_idx\` on \`queue_starts\` (\`queue\`, \`at\`);`);

    this.addSql(`alter table \`jobs\` add column \`queue\` text not null default 'default';`);
    this.addSql(`alter table \`jobs\` add column \`concurrency_key\` text null;`);
    this.addSql(`create index \`jobs_queue_created_idx\` on \`jobs\` (\`queue\`, \`created_at\`);`);
    // Claims are per queue now: the claim index leads with the queue (written by hand, see create-migration.ts).
    this.addSql(`drop index \`jobs_claim_idx\`;`);
    this.addSql(`create index \`jobs_queue_claim_idx\` on \`jobs\` (\`status\`, \`queue\`, \`priority\` DESC, \`run_at\`, \`id\`, \`concurrency_key\`);`);

    this.addSql(`alter table \`queue_state\` add column \`concurrency_limit\` integer null;`);
    this.addSql(`alter table \`queue_state\` add column \`rate_max\` integer null;`);
    this.addSql(`alter table \`queue_state\` add column \`rate_per_ms\` integer null;`);
    this.addSql(`alter table \`queue_state\` add column \`key_concurrency\` integer null;`);
    // Every queue with jobs has a row; until now there was one queue.
    this.addSql(`insert or ignore into \`queue_state\` (\`name\`, \`paused\`, \`updated_at\`) values ('default', 0, ${Date.now()});`);

    this.addSql(`alter table \`schedules\` add column \`queue\` text not null default 'default';`);

    // SQLite cannot change a primary key in place: the counters move to a new table.
    this.addSql(`create table \`job_throughput_next\` (\`minute\` datetime not null, \`queue\` text not null default 'default', \`status\` text not null, \`shard\` integer not null, \`jobs\` integer not null, primary key (\`minute\`, \`queue\`, \`status\`, \`shard\`));`);
    this.addSql(`insert into \`job_throughput_next\` (\`minute\`, \`queue\`, \`status\`, \`shard\`, \`jobs\`) select \`minute\`, 'default', \`status\`, \`shard\`, \`jobs\` from \`job_throughput\`;`);
    this.addSql(`drop table \`job_throughput\`;`);
    this.addSql(`alter table \`job_throughput_next\` rename to \`job_throughput\`;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`queue_starts\`;`);

    this.addSql(`create table \`job_throughput_prev\` (\`minute\` datetime not null, \`status\` text not null, \`shard\` integer not null, \`jobs\` integer not null, primary key (\`minute\`, \`status\`, \`shard\`));`);
    this.addSql(`insert into \`job_throughput_prev\` select \`minute\`, \`status\`, \`shard\`, sum(\`jobs\`) from \`job_throughput\` group by \`minute\`, \`status\`, \`shard\`;`);
    this.addSql(`drop table \`job_throughput\`;`);
    this.addSql(`alter table \`job_throughput_prev\` rename to \`job_throughput\`;`);

    this.addSql(`drop index \`jobs_queue_created_idx\`;`);
    this.addSql(`drop index \`jobs_queue_claim_idx\`;`);
    this.addSql(`create index \`jobs_claim_idx\` on \`jobs\` (\`status\`, \`priority\` DESC, \`run_at\`, \`id\`);`);
    this.addSql(`alter table \`jobs\` drop column \`queue\`;`);
    this.addSql(`alter table \`jobs\` drop column \`concurrency_key\`;`);

    this.addSql(`alter table \`queue_state\` drop column \`concurrency_limit\`;`);
    this.addSql(`alter table \`queue_state\` drop column \`rate_max\`;`);
    this.addSql(`alter table \`queue_state\` drop column \`rate_per_ms\`;`);
    this.addSql(`alter table \`queue_state\` drop column \`key_concurrency\`;`);

    this.addSql(`alter table \`schedules\` drop column \`queue\`;`);
  }

}
