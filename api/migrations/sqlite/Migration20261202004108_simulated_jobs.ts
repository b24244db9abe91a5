import { Migration } from '@mikro-orm/migrations';

/**
 * Whether a job was made as a simulation (its task name had no task), stored so a task removed later
 * fails its jobs instead of simulating them. Jobs made before this version ran every name other than
 * the built-ins as a simulation: they keep doing so.
 */
export class Migration20261202004108_simulated_jobs extends Migration {

  override name = 'Migration20261202004108_simulated_jobs';

  override up(): void | Promise<void> {
    this.addSql(`alter table \`jobs\` add column \`simulated\` integer not null default false;`);
    this.addSql(`update \`jobs\` set \`simulated\` = 1 where \`status\` in ('PENDING', 'RUNNING') and \`task_name\` not in ('noop', 'http.request');`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table \`jobs\` drop column \`simulated\`;`);
  }

}
