import { TableNotFoundException } from '@mikro-orm/core';
import { bootstrap } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { TaskDefinitionError } from './tasks/catalog.js';

/** Process entry: read config, start, stop cleanly on SIGTERM/SIGINT. */
let config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

// Loops and timers catch their own errors; should a stray promise still reject, log it and keep
// serving — one bad callback must not take running jobs down with the process.
process.on('unhandledRejection', (reason) => console.error('unhandled promise rejection (the process keeps running):', reason));

const app = await bootstrap(config).catch((error: unknown) => {
  // A task module that does not load stops the start with its file named, not a stack trace.
  if (error instanceof TaskDefinitionError) {
    console.error(`Invalid task module: ${error.message}`);
    process.exit(1);
  }
  // A database nobody migrated yet: say what to run instead of a driver stack trace.
  if (error instanceof TableNotFoundException) {
    console.error(
      `The database has no schema yet (${error.message.split('\n')[0]}): run \`npm run migrate\` first, or set MIGRATE_ON_START=true on one API process.`,
    );
    process.exit(1);
  }
  throw error;
});
console.log(
  `job scheduler (${config.ROLE}) listening on ${app.url.replace('127.0.0.1', 'localhost')} — database ${config.database.dialect}`,
);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    app.stop().then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
