import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TaskDefinitionError, type TaskCatalog } from './catalog.js';
import type { TaskDefinition } from './task.js';

const MODULE_FILE = /\.(m?js|ts)$/;
const NOT_A_TASK = /\.(d|test|spec)\.(m?js|ts)$/;

/** The repository's root: the nearest folder above this file that holds `api/package.json` (source and build alike). */
export function repositoryRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'api', 'package.json'))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}

/**
 * Where task modules come from: TASKS_DIR (absolute, or relative to the repository's root), else the
 * repository's `tasks/` folder when there is one, else none.
 */
export function tasksDirOf(tasksDir: string | undefined, root = repositoryRoot()): string | null {
  if (tasksDir) return isAbsolute(tasksDir) ? tasksDir : resolve(root, tasksDir);
  const fallback = join(root, 'tasks');
  return existsSync(fallback) ? fallback : null;
}

/** The task module files of a folder, sorted (subfolders included; tests and type declarations left out). */
function moduleFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.') || name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...moduleFiles(path));
    else if (MODULE_FILE.test(name) && !NOT_A_TASK.test(name)) out.push(path);
  }
  return out;
}

/**
 * Imports every task module of `dir` into the catalog. A module that fails to load, has no default
 * export shaped like a task, or repeats a name stops the start with an error naming its file.
 */
export async function loadTaskModules(catalog: TaskCatalog, dir: string, root = repositoryRoot()): Promise<string[]> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new TaskDefinitionError(`TASKS_DIR ${dir}`, 'expected a folder of task modules (.js, .mjs, .ts)');
  }
  const loaded: string[] = [];
  for (const file of moduleFiles(dir)) {
    const shown = relative(root, file).startsWith('..') ? file : relative(root, file);
    let mod: { default?: unknown };
    try {
      mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
    } catch (error) {
      throw new TaskDefinitionError(shown, `failed to load: ${(error as Error).message ?? String(error)}`);
    }
    const task = mod.default;
    if (!task || typeof task !== 'object') {
      throw new TaskDefinitionError(
        shown,
        'exports no task: expected `export default defineTask({ name, handler, … })` or a plain object of that shape',
      );
    }
    catalog.add(task as TaskDefinition, 'MODULE', shown);
    loaded.push((task as TaskDefinition).name);
  }
  return loaded;
}
