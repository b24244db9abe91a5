/** Applies pending migrations to the configured database (`npm run migrate`). */
import 'reflect-metadata';
import { ConfigError, loadConfig } from '../src/config.js';
import { migrate, openOrm } from '../src/db/orm.js';

try {
  const { database } = loadConfig();
  const orm = await openOrm(database);
  const applied = await migrate(orm);
  await orm.close(true);
  const where =
    database.dialect === 'sqlite' ? database.file : `${database.dialect}://${database.host}:${database.port}/${database.dbName}`;
  console.log(applied.length ? `applied ${applied.length} migration(s) to ${where}: ${applied.join(', ')}` : `${where} is up to date`);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `migration failed: ${(error as Error).message}`);
  process.exit(1);
}
