import { Migration } from '@mikro-orm/migrations';

export class Migration20261202135623_job_worker extends Migration {

  override name = 'Migration20261202135623_job_worker';

  override up(): void | Promise<void> {
    this.addSql(`alter table \`jobs\` add column \`worker\` text null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table \`jobs\` drop column \`worker\`;`);
  }

}
