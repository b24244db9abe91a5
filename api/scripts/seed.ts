/** Inserts sample jobs and webhook logs into the configured database (`npm run seed`). */
import 'reflect-metadata';
import { ConfigError, loadConfig } from '../src/config.js';
import { migrate, openOrm } from '../src/db/orm.js';
import { seed } from '../src/jobs/seed.js';

try {
  const config = loadConfig();
  const orm = await openOrm(config.database);
  if (config.database.dialect === 'sqlite') await migrate(orm);
  const counts = await seed(orm.em.fork(), 48, config.OUTBOUND_WEBHOOK ?? `http://localhost:${config.PORT}/api/webhook-test`);
  await orm.close(true);
  console.log(`seeded ${counts.jobs} jobs and ${counts.webhookLogs} webhook logs`);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `seed failed: ${(error as Error).message}`);
  process.exit(1);
}
