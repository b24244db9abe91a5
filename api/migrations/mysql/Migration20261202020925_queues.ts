import { Migration } from '@mikro-orm/migrations';

export class Migration20261202020925_queues extends Migration {

  override name = 'Migration20261202020925_queues';

  override up(): void | Promise<void> {
    this.addSql(`create table \`queue_starts\` (\`id\` int unsigned not null auto_increment primary key, \`queue\` varchar(64) not null, \`at\` datetime(3) not null, \`jobs\` int not null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`queue_starts\` add index \`queue_starts_queue_at_idx\` (\`queue\`, \`at\`);`);

    this.addSql(`alter table \`jobs\` add \`queue\` varchar(64) not null default 'default', add \`concurrency_key\` varchar(128) null;`);
    this.addSql(`alter table \`jobs\` add index \`jobs_queue_created_idx\` (\`queue\`, \`created_at\`);`);
    // Claims are per queue now: the claim index leads with the queue (written by hand, see create-migration.ts).
    this.addSql(`alter table \`jobs\` drop index \`jobs_claim_idx\`, add index \`jobs_queue_claim_idx\` (\`status\`, \`queue\`, \`priority\` DESC, \`run_at\`, \`id\`, \`concurrency_key\`);`);

    this.addSql(`alter table \`queue_state\` add \`concurrency_limit\` int null, add \`rate_max\` int null, add \`rate_per_ms\` int null, add \`key_concurrency\` int null;`);
    // Every queue with jobs has a row; until now there was one queue.
    this.addSql(`insert ignore into \`queue_state\` (\`name\`, \`paused\`, \`updated_at\`) values ('default', 0, current_timestamp(3));`);

    this.addSql(`alter table \`schedules\` add \`queue\` varchar(64) not null default 'default';`);

    this.addSql(`alter table \`job_throughput\` drop primary key;`);
    this.addSql(`alter table \`job_throughput\` add \`queue\` varchar(64) not null default 'default';`);
    this.addSql(`alter table \`job_throughput\` add primary key (\`minute\`, \`queue\`, \`status\`, \`shard\`);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`queue_starts\`;`);

    this.addSql(`alter table \`jobs\` drop index \`jobs_queue_created_idx\`;`);
    this.addSql(`alter table \`jobs\` drop index \`jobs_queue_claim_idx\`, add index \`jobs_claim_idx\` (\`status\`, \`priority\` DESC, \`run_at\`, \`id\`);`);
    this.addSql(`alter table \`jobs\` drop column \`queue\`, drop column \`concurrency_key\`;`);

    this.addSql(`alter table \`job_throughput\` drop primary key;`);
    this.addSql(`alter table \`job_throughput\` drop column \`queue\`;`);
    this.addSql(`alter table \`job_throughput\` add primary key (\`minute\`, \`status\`, \`shard\`);`);

    this.addSql(`alter table \`queue_state\` drop column \`concurrency_limit\`, drop column \`rate_max\`, drop column \`rate_per_ms\`, drop column \`key_concurrency\`;`);

    this.addSql(`alter table \`schedules\` drop column \`queue\`;`);
  }

}
