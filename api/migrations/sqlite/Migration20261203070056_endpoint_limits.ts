import { Migration } from '@mikro-orm/migrations';

export class Migration20261203070056_endpoint_limits extends Migration {

  override name = 'Migration20261203070056_endpoint_limits';

  override up(): void | Promise<void> {
    this.addSql(`alter table \`webhook_endpoints\` add column \`concurrency_limit\` integer null;`);
    this.addSql(`alter table \`webhook_endpoints\` add column \`rate_limit_max\` integer null;`);
    this.addSql(`alter table \`webhook_endpoints\` add column \`rate_limit_per_ms\` integer null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table \`webhook_endpoints\` drop column \`concurrency_limit\`;`);
    this.addSql(`alter table \`webhook_endpoints\` drop column \`rate_limit_max\`;`);
    this.addSql(`alter table \`webhook_endpoints\` drop column \`rate_limit_per_ms\`;`);
  }

}
