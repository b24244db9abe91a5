import { Migration } from '@mikro-orm/migrations';

export class Migration20261202141020_webhook_log_delivery extends Migration {

  override name = 'Migration20261202141020_webhook_log_delivery';

  override up(): void | Promise<void> {

    this.addSql(`alter table \`webhook_logs\` add \`delivery_id\` int null;`);
    this.addSql(`alter table \`webhook_logs\` add index \`webhook_logs_delivery_idx\` (\`delivery_id\`);`);
  }

  override down(): void | Promise<void> {

    this.addSql(`alter table \`webhook_logs\` drop index \`webhook_logs_delivery_idx\`;`);
    this.addSql(`alter table \`webhook_logs\` drop column \`delivery_id\`;`);
  }

}
