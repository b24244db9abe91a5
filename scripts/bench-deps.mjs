#!/usr/bin/env node
// The benchmarks' own dependencies (BullMQ, graphile-worker, pg-boss, autocannon, …) live in bench/,
// outside the npm workspaces, so a plain `npm install` never downloads them.
//
//   node scripts/bench-deps.mjs             install bench/node_modules when it is missing or stale (`npm run bench*` do this first)
//   node scripts/bench-deps.mjs install     the same, as `npm run bench:install`
//   node scripts/bench-deps.mjs typecheck   tsc over bench/ when its dependencies are installed; skipped (with a
//                                           notice) when they are not, except under CI=true, where it fails
//
// "Stale" means bench/package.json or bench/package-lock.json changed since the last install: their hash
// is written to bench/node_modules/.installed-from after each install.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BENCH = join(ROOT, 'bench');
const STAMP = join(BENCH, 'node_modules', '.installed-from');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function manifestHash() {
  const hash = createHash('sha256');
  for (const file of ['package.json', 'package-lock.json']) {
    const path = join(BENCH, file);
    hash.update(file).update(existsSync(path) ? readFileSync(path) : '');
  }
  return hash.digest('hex');
}

const installed = () => existsSync(STAMP);
const current = () => installed() && readFileSync(STAMP, 'utf8').trim() === manifestHash();

function run(command, args) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function ensureInstalled() {
  if (current()) return;
  const withLock = existsSync(join(BENCH, 'package-lock.json'));
  console.log(
    `bench: ${installed() ? 'dependencies changed' : 'dependencies not installed'}; running npm ${withLock ? 'ci' : 'install'} in bench/`,
  );
  run(npm, [withLock ? 'ci' : 'install', '--prefix', BENCH, '--no-audit', '--no-fund']);
  writeFileSync(STAMP, `${manifestHash()}\n`);
}

const command = process.argv[2] ?? 'install';
if (command === 'install') {
  ensureInstalled();
} else if (command === 'typecheck') {
  if (!installed()) {
    if (process.env.CI) {
      console.error('typecheck: bench/ dependencies are missing (CI=true): run `npm run bench:install` first');
      process.exit(1);
    }
    console.log('typecheck: skipped bench/ (its dependencies are not installed; `npm run bench:install` installs them)');
    process.exit(0);
  }
  if (!current()) console.warn('typecheck: bench/ dependencies are stale; `npm run bench:install` refreshes them');
  run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(BENCH, 'tsconfig.json')]);
} else {
  console.error(`usage: node scripts/bench-deps.mjs [install|typecheck], got "${command}"`);
  process.exit(2);
}
