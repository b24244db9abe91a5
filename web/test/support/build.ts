import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const WEB_BUILD = join(WEB_ROOT, 'build');

const INPUTS = ['src', 'static', 'vite.config.ts', 'package.json'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** True when there is no build, or a source file changed after it was written. */
export function buildIsStale(): boolean {
  const index = join(WEB_BUILD, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return INPUTS.some((input) => newestMtime(join(WEB_ROOT, input)) > built);
}

/** Builds the dashboard when needed, so the tests always drive what `npm start` would serve. */
export function ensureBuild(): void {
  if (!buildIsStale()) return;
  const result = spawnSync(process.execPath, [join(WEB_ROOT, '../node_modules/vite/bin/vite.js'), 'build'], {
    cwd: WEB_ROOT,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (result.status !== 0) throw new Error(`vite build failed with exit code ${result.status}`);
}
