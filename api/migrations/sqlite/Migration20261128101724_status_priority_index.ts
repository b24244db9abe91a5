import { Migration } from '@mikro-orm/migrations';

export class Migration20261128101724_status_priority_index extends Migration {

  override name = 'Migration20261128101724_status_priority_index';

  override up(): void | Promise<void> {
    this.addSql(`create index \`jobs_status_priority_created_idx\` on \`jobs\` (\`status\`, \`priority\`, \`created_at\`);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index \`jobs_status_priority_created_idx\`;`);
  }

}
