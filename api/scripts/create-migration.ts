/**
 * Generates the next migration for both dialects from the entities.
 * SQLite diffs against a scratch file; MySQL against the database in DATABASE_URL (MariaDB or MySQL).
 *   DATABASE_URL=mariadb://root@127.0.0.1:3306/jobs_migrations npm run migration:create -w api -- name
 */
import 'reflect-metadata';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { MikroORM } from '@mikro-orm/core';
import { loadConfig, type Database } from '../src/config.js';
import { ormOptions } from '../src/db/orm.js';

const name = process.argv[2] ?? 'change';

async function generate(database: Database, folder: string) {
  const orm = await MikroORM.init(ormOptions(database));
  await orm.migrator.up();
  const result = await orm.migrator.create(folder, false, false, name);
  await orm.close(true);
  if (!result.fileName) return console.log(`${folder}: no changes`);
  dropPhantomChanges(`${folder}/${result.fileName}`);
  const files = readdirSync(folder)
    .filter((f) => /^Migration.*\.ts$/.test(f))
    .sort();
  writeFileSync(
    `${folder}/index.ts`,
    files
      .map((f) => `export { ${f.replace(/\.ts$/, '').replace(/^Migration/, 'Migration')} } from './${f.replace(/\.ts$/, '.js')}';`)
      .join('\n') + '\n',
  );
  console.log(`${folder}: ${result.fileName}`);
}

/**
 * Schema introspection does not read index column order (DESC), so every diff "recreates" the claim
 * index (priority DESC). Those statements are noise: drop them from generated migrations.
 */
function dropPhantomChanges(file: string) {
  const lines = readFileSync(file, 'utf8').split('\n');
  writeFileSync(file, lines.filter((l) => !(l.includes('addSql') && /jobs_(queue_)?claim_idx/.test(l))).join('\n'));
}

const scratch = '/tmp/jobs-migration-scratch.sqlite';
rmSync(scratch, { force: true });
await generate({ dialect: 'sqlite', file: scratch }, 'migrations/sqlite');
const mysql = loadConfig().database;
if (mysql.dialect === 'sqlite') console.log('migrations/mysql: skipped (set DATABASE_URL to a MySQL-family database)');
else await generate(mysql, 'migrations/mysql');
