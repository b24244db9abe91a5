import { Migration } from '@mikro-orm/migrations';

/** See the MySQL migration of the same name: fewer indexes change when a job is claimed or finished. */
export class Migration20261128134600_lighter_status_indexes extends Migration {

  override name = 'Migration20261128134600_lighter_status_indexes';

  override up(): void | Promise<void> {
    this.addSql(`drop index \`jobs_lease_idx\`;`);
    this.addSql(`drop index \`jobs_status_completed_idx\`;`);
    this.addSql(`create index \`jobs_completed_idx\` on \`jobs\` (\`completed_at\`);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index \`jobs_completed_idx\`;`);
    this.addSql(`create index \`jobs_lease_idx\` on \`jobs\` (\`status\`, \`lease_expires_at\`);`);
    this.addSql(`create index \`jobs_status_completed_idx\` on \`jobs\` (\`status\`, \`completed_at\`);`);
  }

}
