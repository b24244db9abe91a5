import { Migration } from '@mikro-orm/migrations';

export class Migration20261128113110_status_completed_index extends Migration {

  override name = 'Migration20261128113110_status_completed_index';

  override up(): void | Promise<void> {
    this.addSql(`create index \`jobs_status_completed_idx\` on \`jobs\` (\`status\`, \`completed_at\`);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index \`jobs_status_completed_idx\`;`);
  }

}
