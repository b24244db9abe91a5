import { Migration } from '@mikro-orm/migrations';

export class Migration20261128101725_status_priority_index extends Migration {

  override name = 'Migration20261128101725_status_priority_index';

  override up(): void | Promise<void> {
    this.addSql(`alter table \`jobs\` add index \`jobs_status_priority_created_idx\` (\`status\`, \`priority\`, \`created_at\`);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table \`jobs\` drop index \`jobs_status_priority_created_idx\`;`);
  }

}
