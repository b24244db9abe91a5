import type { Options } from '@mikro-orm/core';
import * as mysql from '../../migrations/mysql/index.js';
import * as sqlite from '../../migrations/sqlite/index.js';
import type { Database } from '../config.js';

type MigrationsList = NonNullable<Options['migrations']['migrationsList']>;

/** Migrations are listed in code (not discovered on disk) so the same list works under tsx and from dist. */
export function migrationsFor(dialect: Database['dialect']): MigrationsList {
  const mod = dialect === 'sqlite' ? sqlite : mysql;
  return Object.entries(mod)
    .map(([name, migration]) => ({ name, class: migration }))
    .sort((a, b) => a.name.localeCompare(b.name)) as MigrationsList;
}
