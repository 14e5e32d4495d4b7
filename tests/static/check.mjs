// check.mjs - rules of the front end that hold for every file in static/:
// each strings module has the same keys in Korean and English with
// non-empty values and matching {placeholders}; every t('key') the code
// uses exists; no module writes markup from strings (innerHTML and kin);
// no page loads anything from another origin.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = process.argv[2];
if (!root) {
  console.error('usage: node check.mjs <static dir>');
  process.exit(2);
}

const failures = [];
const fail = (msg) => failures.push(msg);

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const files = walk(root);
const keys = new Set();

for (const file of files.filter((f) => f.includes(`${join('js', 'strings')}`) && f.endsWith('.js'))) {
  const dict = (await import(pathToFileURL(file).href)).default;
  const rel = relative(root, file);
  if (!dict?.ko || !dict?.en) {
    fail(`${rel}: default export must be {ko, en}`);
    continue;
  }
  for (const [a, b] of [['ko', 'en'], ['en', 'ko']])
    for (const k of Object.keys(dict[a]))
      if (!(k in dict[b])) fail(`${rel}: '${k}' is in ${a} but not in ${b}`);
  for (const [k, v] of Object.entries(dict.ko)) {
    if (keys.has(k)) fail(`${rel}: '${k}' is defined in another strings module too`);
    keys.add(k);
    const en = dict.en[k];
    if (typeof v !== 'string' || !v.trim() || typeof en !== 'string' || !en.trim()) {
      fail(`${rel}: '${k}' is empty in a language`);
      continue;
    }
    const ph = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
    if (ph(v) !== ph(en)) fail(`${rel}: '${k}' has different placeholders in ko and en`);
  }
}

const banned = /\b(innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval)\b|new Function\(/;
for (const file of files.filter((f) => /\.(js|mjs)$/.test(f))) {
  const rel = relative(root, file);
  const src = readFileSync(file, 'utf8');
  src.split('\n').forEach((line, i) => {
    if (banned.test(line.replace(/\/\/.*$/, ''))) fail(`${rel}:${i + 1}: writes markup or code from a string`);
  });
  for (const m of src.matchAll(/\bt\(\s*'([\w.]+)'/g))
    if (!keys.has(m[1])) fail(`${rel}: t('${m[1]}') has no string`);
}

for (const file of files.filter((f) => /\.(html|css|js)$/.test(f))) {
  const rel = relative(root, file);
  const src = readFileSync(file, 'utf8');
  for (const m of src.matchAll(/(?:src|href)\s*=\s*["'](?:https?:)?\/\/[^"']+|@import\s+url\(["']?(?:https?:)?\/\//g))
    fail(`${rel}: loads from another origin: ${m[0]}`);
  if (file.endsWith('.html') && /<script(?![^>]*\bsrc=)[^>]*>/.test(src)) fail(`${rel}: inline script`);
  if (file.endsWith('.html') && /\sstyle\s*=/.test(src)) fail(`${rel}: inline style attribute`);
}

for (const f of failures) console.error(`not ok: ${f}`);
console.log(failures.length ? `${failures.length} problems` : `ok: ${keys.size} strings, ${files.length} files`);
process.exit(failures.length ? 1 : 0);
