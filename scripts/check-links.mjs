#!/usr/bin/env node
// Checks every relative link in the project's Markdown: README.md, docs/**/*.md, bench/README.md and
// CHANGELOG.md. A link must point at a file or folder that exists, and a `#anchor` must name a heading
// of the target Markdown file (GitHub's slugs) or an explicit `id`/`name` in it. External links
// (http:, https:, mailto:, …) are not fetched. No dependencies: `node scripts/check-links.mjs`.
// Pass file paths to check only those. Exits 1 and prints `file:line` for each broken link.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function markdownUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : markdownUnder(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

function defaultFiles() {
  const single = ['README.md', 'bench/README.md', 'CHANGELOG.md'].map((f) => join(root, f)).filter((f) => existsSync(f));
  return [...single, ...markdownUnder(join(root, 'docs'))];
}

/** Lines outside fenced code blocks, with inline code spans blanked, keeping line numbers. */
function proseLines(text) {
  const lines = text.split(/\r?\n/);
  let fence = null;
  return lines.map((line) => {
    const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (marker && marker[1][0] === fence[0] && marker[1].length >= fence.length) fence = null;
      return '';
    }
    if (marker) {
      fence = marker[1];
      return '';
    }
    return line.replace(/(`+)[\s\S]*?\1/g, (m) => ' '.repeat(m.length));
  });
}

/** GitHub's heading slug (as github-slugger makes it): lower case, punctuation dropped, spaces to hyphens. */
function slugify(heading) {
  const text = heading
    .replace(/<[^>]+>/g, '') // inline HTML
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images keep their text
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/(\*|_)(.+?)\1/g, '$2')
    .replace(/`/g, '');
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

const anchorCache = new Map();

/** Every anchor a Markdown file offers: heading slugs (with -1, -2 … for repeats) and explicit ids. */
function anchorsOf(file) {
  if (anchorCache.has(file)) return anchorCache.get(file);
  const anchors = new Set();
  const seen = new Map();
  const text = readFileSync(file, 'utf8');
  // Headings come from prose lines, but code spans in them count: read the raw line for those.
  const raw = text.split(/\r?\n/);
  const prose = proseLines(text);
  prose.forEach((line, i) => {
    if (line === '' && raw[i] !== '') return; // inside a fenced block
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(raw[i]);
    if (heading) {
      const base = slugify(heading[1]);
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      anchors.add(count === 0 ? base : `${base}-${count}`);
    }
    for (const m of raw[i].matchAll(/<[a-z][^>]*\s(?:id|name)=["']([^"']+)["']/gi)) anchors.add(m[1]);
  });
  anchorCache.set(file, anchors);
  return anchors;
}

/** Link targets on one line: inline links and images, reference definitions, HTML src/href. */
function targetsOf(line) {
  const targets = [];
  for (const m of line.matchAll(/!?\[(?:[^\]\\]|\\.)*\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+["'(][^)]*)?\)/g)) {
    targets.push(m[1].replace(/^<|>$/g, ''));
  }
  const definition = /^\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/.exec(line);
  if (definition) targets.push(definition[1].replace(/^<|>$/g, ''));
  for (const m of line.matchAll(/<(?:a|img|source)\s[^>]*?(?:href|src)=["']([^"']+)["']/gi)) targets.push(m[1]);
  return targets;
}

function isExternal(target) {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');
}

function check(file) {
  const problems = [];
  const lines = proseLines(readFileSync(file, 'utf8'));
  lines.forEach((line, i) => {
    for (const target of targetsOf(line)) {
      if (isExternal(target)) continue;
      const [pathPart, anchor] = target.split('#', 2);
      const path = decodeURIComponent(pathPart);
      const where = `${relative(root, file)}:${i + 1}`;
      const dest = path === '' ? file : path.startsWith('/') ? join(root, path) : resolve(dirname(file), path);
      if (!existsSync(dest)) {
        problems.push(`${where}: ${target} — no such file or folder`);
        continue;
      }
      if (anchor === undefined || anchor === '') continue;
      if (statSync(dest).isDirectory() || !dest.endsWith('.md')) continue; // GitHub line anchors etc.
      if (!anchorsOf(dest).has(decodeURIComponent(anchor).toLowerCase())) {
        problems.push(`${where}: ${target} — no heading or id "${anchor}" in ${relative(root, dest)}`);
      }
    }
  });
  return problems;
}

const files = process.argv.length > 2 ? process.argv.slice(2).map((f) => resolve(f)) : defaultFiles();
const problems = files.flatMap(check);
if (problems.length > 0) {
  for (const p of problems) console.error(p);
  console.error(`\n${problems.length} broken link${problems.length === 1 ? '' : 's'} in ${files.length} files`);
  process.exit(1);
}
console.log(`links ok: ${files.length} files`);
