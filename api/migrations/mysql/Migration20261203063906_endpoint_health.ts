import { Migration } from '@mikro-orm/migrations';

export class Migration20261203063906_endpoint_health extends Migration {

  override name = 'Migration20261203063906_endpoint_health';

  override up(): void | Promise<void> {

    this.addSql(`alter table \`webhook_deliveries\` add \`last_error\` varchar(500) null;`);

    this.addSql(`alter table \`webhook_endpoints\` add \`disable_after_failures\` int not null default 20, add \`disable_after_ms\` bigint not null default '86400000', add \`consecutive_failures\` int not null default 0, add \`failing_since\` datetime(3) null, add \`disabled_reason\` varchar(500) null, add \`disabled_at\` datetime(3) null;`);
  }

  override down(): void | Promise<void> {

    this.addSql(`alter table \`webhook_deliveries\` drop column \`last_error\`;`);

    this.addSql(`alter table \`webhook_endpoints\` drop column \`disable_after_failures\`, drop column \`disable_after_ms\`, drop column \`consecutive_failures\`, drop column \`failing_since\`, drop column \`disabled_reason\`, drop column \`disabled_at\`;`);
  }

}
