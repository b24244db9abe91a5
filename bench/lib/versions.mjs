import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** A dependency's installed version, also for packages whose `exports` hide package.json. */
export function packageVersion(name) {
  let dir = dirname(createRequire(import.meta.url).resolve(name));
  while (!existsSync(join(dir, 'package.json')) || JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name !== name) {
    const up = dirname(dir);
    if (up === dir) return 'unknown';
    dir = up;
  }
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
}
