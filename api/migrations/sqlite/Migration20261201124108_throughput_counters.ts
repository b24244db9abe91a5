import { Migration } from '@mikro-orm/migrations';

/** See the MySQL migration of the same name: per-minute throughput counters, the last day's ends counted once. */
export class Migration20261201124108_throughput_counters extends Migration {

  override name = 'Migration20261201124108_throughput_counters';

  override up(): void | Promise<void> {
    this.addSql(`create table \`job_throughput\` (\`minute\` datetime not null, \`status\` text not null, \`shard\` integer not null, \`jobs\` integer not null, primary key (\`minute\`, \`status\`, \`shard\`));`);

    // Datetimes are epoch milliseconds here.
    this.addSql(`insert into \`job_throughput\` (\`minute\`, \`status\`, \`shard\`, \`jobs\`)
      select (\`completed_at\` / 60000) * 60000, \`status\`, 0, count(*) from \`jobs\`
      where \`status\` in ('COMPLETED', 'FAILED') and \`completed_at\` >= (cast(strftime('%s', 'now') as integer) - 86400) * 1000
      group by 1, 2;`);

    this.addSql(`drop index \`jobs_completed_idx\`;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`job_throughput\`;`);

    this.addSql(`create index \`jobs_completed_idx\` on \`jobs\` (\`completed_at\`);`);
  }

}
