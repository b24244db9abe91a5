import { Migration } from '@mikro-orm/migrations';

export class Migration20261203063906_endpoint_health extends Migration {

  override name = 'Migration20261203063906_endpoint_health';

  override up(): void | Promise<void> {

    this.addSql(`alter table \`webhook_deliveries\` add column \`last_error\` text null;`);

    this.addSql(`alter table \`webhook_endpoints\` add column \`disable_after_failures\` integer not null default 20;`);
    this.addSql(`alter table \`webhook_endpoints\` add column \`disable_after_ms\` bigint not null default '86400000';`);
    this.addSql(`alter table \`webhook_endpoints\` add column \`consecutive_failures\` integer not null default 0;`);
    this.addSql(`alter table \`webhook_endpoints\` add column \`failing_since\` datetime null;`);
    this.addSql(`alter table \`webhook_endpoints\` add column \`disabled_reason\` text null;`);
    this.addSql(`alter table \`webhook_endpoints\` add column \`disabled_at\` datetime null;`);
  }

  override down(): void | Promise<void> {

    this.addSql(`alter table \`webhook_deliveries\` drop column \`last_error\`;`);

    this.addSql(`alter table \`webhook_endpoints\` drop column \`disable_after_failures\`;`);
    this.addSql(`alter table \`webhook_endpoints\` drop column \`disable_after_ms\`;`);
    this.addSql(`alter table \`webhook_endpoints\` drop column \`consecutive_failures\`;`);
    this.addSql(`alter table \`webhook_endpoints\` drop column \`failing_since\`;`);
    this.addSql(`alter table \`webhook_endpoints\` drop column \`disabled_reason\`;`);
    this.addSql(`alter table \`webhook_endpoints\` drop column \`disabled_at\`;`);
  }

}
