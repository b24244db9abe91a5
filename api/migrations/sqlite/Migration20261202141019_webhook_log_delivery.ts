import { Migration } from '@mikro-orm/migrations';

export class Migration20261202141019_webhook_log_delivery extends Migration {

  override name = 'Migration20261202141019_webhook_log_delivery';

  override up(): void | Promise<void> {

    this.addSql(`alter table \`webhook_logs\` add column \`delivery_id\` integer null;`);
    this.addSql(`create index \`webhook_logs_delivery_idx\` on \`webhook_logs\` (\`delivery_id\`);`);
  }

  override down(): void | Promise<void> {

    this.addSql(`drop index \`webhook_logs_delivery_idx\`;`);
    this.addSql(`alter table \`webhook_logs\` drop column \`delivery_id\`;`);
  }

}
