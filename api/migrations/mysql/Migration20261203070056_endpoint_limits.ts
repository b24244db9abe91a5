import { Migration } from '@mikro-orm/migrations';

export class Migration20261203070056_endpoint_limits extends Migration {

  override name = 'Migration20261203070056_endpoint_limits';

  override up(): void | Promise<void> {
    this.addSql(`alter table \`webhook_endpoints\` add \`concurrency_limit\` int null, add \`rate_limit_max\` int null, add \`rate_limit_per_ms\` int null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table \`webhook_endpoints\` drop column \`concurrency_limit\`, drop column \`rate_limit_max\`, drop column \`rate_limit_per_ms\`;`);
  }

}
