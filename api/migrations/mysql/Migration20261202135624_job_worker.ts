import { Migration } from '@mikro-orm/migrations';

export class Migration20261202135624_job_worker extends Migration {

  override name = 'Migration20261202135624_job_worker';

  override up(): void | Promise<void> {
    this.addSql(`alter table \`jobs\` add \`worker\` varchar(64) null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table \`jobs\` drop column \`worker\`;`);
  }

}
