import { Migration } from '@mikro-orm/migrations';

export class Migration20261128113111_status_completed_index extends Migration {

  override name = 'Migration20261128113111_status_completed_index';

  override up(): void | Promise<void> {
    this.addSql(`alter table \`jobs\` add index \`jobs_status_completed_idx\` (\`status\`, \`completed_at\`);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table \`jobs\` drop index \`jobs_status_completed_idx\`;`);
  }

}
