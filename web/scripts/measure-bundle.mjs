#!/usr/bin/env node
// Prints the gzipped size of the JavaScript a browser loads on the portal's first visit:
// the entry script of dist/index.html plus every chunk it imports statically (what Vite
// lists as modulepreload), not the code-split routes loaded later. gzip level 9, as the
// panel's build.rs compresses embedded assets. Run after `npm run build`.
//   node scripts/measure-bundle.mjs [--json] [--budget KB]
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = resolve(dirname(fileURLToPath(import.meta.url)), '../dist');
const args = process.argv.slice(2);
const budgetKb = Number(args[args.indexOf('--budget') + 1] ?? 300) || 300;
const html = readFileSync(join(dist, 'index.html'), 'utf8');

const gz = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
const raw = (file) => readFileSync(join(dist, file)).length;

// The entry, then its static imports, followed transitively (`import ... from "./x.js"`
// and bare `import "./x.js"`; dynamic `import("./x.js")` is a code-split route: skipped).
const entry = [...html.matchAll(/<script[^>]+type="module"[^>]+src="\/([^"]+)"/g)].map((m) => m[1]);
const preload = [...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+)"/g)].map((m) => m[1]);
const seen = new Set();
const queue = [...entry, ...preload];
while (queue.length) {
  const f = queue.shift();
  if (seen.has(f)) continue;
  seen.add(f);
  const code = readFileSync(join(dist, f), 'utf8');
  for (const m of code.matchAll(/(?:^|[;\n}])\s*import\s*(?:[\w*{}\s,$]+from\s*)?["']\.\/([^"']+\.js)["']/g)) queue.push(join(dirname(f), m[1]));
}
const initial = [...seen];
const css = [...html.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="\/([^"]+)"/g)].map((m) => m[1]);
const allJs = readdirSync(join(dist, 'assets')).filter((f) => f.endsWith('.js')).map((f) => `assets/${f}`);
const sum = (files, fn) => files.reduce((n, f) => n + fn(f), 0);

const result = {
  initialJsGzipBytes: sum(initial, gz),
  initialJsRawBytes: sum(initial, raw),
  initialFiles: initial.map((f) => ({ file: f, gzip: gz(f), raw: raw(f) })),
  initialCssGzipBytes: sum(css, gz),
  allJsGzipBytes: sum(allJs, gz),
  chunks: allJs.length,
  budgetBytes: budgetKb * 1024,
};

if (args.includes('--json')) {
  console.log(JSON.stringify(result, null, 2));
} else {
  const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
  for (const f of result.initialFiles) console.log(`  ${f.file.padEnd(40)} ${kb(f.raw).padStart(10)} raw ${kb(f.gzip).padStart(10)} gzip`);
  console.log(`initial JavaScript: ${kb(result.initialJsGzipBytes)} gzipped (${kb(result.initialJsRawBytes)} raw) in ${initial.length} file(s); budget ${budgetKb} KiB`);
  console.log(`initial CSS: ${kb(result.initialCssGzipBytes)} gzipped`);
  console.log(`all JavaScript (every route): ${kb(result.allJsGzipBytes)} gzipped in ${result.chunks} chunks`);
}
if (result.initialJsGzipBytes > result.budgetBytes) {
  console.error(`over budget: ${result.initialJsGzipBytes} > ${result.budgetBytes} bytes`);
  process.exitCode = 1;
}
