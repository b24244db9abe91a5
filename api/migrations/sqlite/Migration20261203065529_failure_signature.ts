import { Migration } from '@mikro-orm/migrations';
import { backfillFailureSignatures } from '../../src/jobs/failures/backfill.js';

/**
 * failureGroups groups FAILED jobs by a signature written when a job fails; jobs that failed before
 * this migration are signed here, in batches, before the index is built over them.
 */
export class Migration20261203065529_failure_signature extends Migration {

  override name = 'Migration20261203065529_failure_signature';

  override async up(): Promise<void> {
    // Executed now rather than queued: the backfill below writes the new column.
    await this.execute(`alter table \`jobs\` add column \`failure_signature\` text null;`);
    await backfillFailureSignatures((sql, params) => this.execute(sql, params));
    await this.execute(`create index \`jobs_failure_signature_idx\` on \`jobs\` (\`failure_signature\`);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index \`jobs_failure_signature_idx\`;`);
    this.addSql(`alter table \`jobs\` drop column \`failure_signature\`;`);
  }

}
