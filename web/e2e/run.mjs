#!/usr/bin/env node
// End-to-end journey of the web UI in a real browser (Debian's chromium, driven by
// playwright-core), against a real `aerie up` (panel + wings + Docker) on ephemeral ports.
//
//   AERIE_BIN=target/debug/aerie node web/e2e/run.mjs
//
// Builds nothing: the binary must embed the current web/dist. Screenshots of every page
// go to web/e2e/screenshots/. Exits non-zero on the first failed step, printing the step,
// the error, the last lines of the aerie log, and a screenshot named failure-*.png.
//
// Environment: AERIE_BIN (default target/debug/aerie from the repo root), CHROMIUM
// (default /usr/bin/chromium), E2E_KEEP=1 keeps the data directory, E2E_HEADFUL=1 shows
// the browser (needs a display).
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const bin = resolve(root, process.env.AERIE_BIN ?? 'target/debug/aerie');
const shots = join(here, 'screenshots');
const T = 60_000;

const started = Date.now();
const log = (msg) => console.log(`[e2e ${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`);

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** Starts `aerie up` and resolves with its panel URL once it says it is up. */
function startAerie(dataDir) {
  const child = spawn(bin, ['up', '--bind', '127.0.0.1:0', '--wings-bind', '127.0.0.1:0', '--data-dir', dataDir], {
    // AERIE_BIN is ours, not a setting of aerie (which warns about unknown AERIE_* names).
    env: Object.fromEntries(Object.entries({ ...process.env, NO_COLOR: '1' }).filter(([k]) => k !== 'AERIE_BIN')),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail = [];
  const onData = (buf) => {
    for (const line of buf.toString().split('\n')) {
      if (!line) continue;
      tail.push(line);
      if (tail.length > 80) tail.shift();
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const url = new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error('aerie up did not start within 60 s')), T);
    const look = (buf) => {
      // eslint-disable-next-line no-control-regex
      const m = /Aerie is up: panel (http:\/\/[^\s]+)/.exec(buf.toString().replace(/\x1b\[[0-9;]*m/g, ''));
      if (m) {
        clearTimeout(timer);
        res(m[1]);
      }
    };
    child.stdout.on('data', look);
    child.stderr.on('data', look);
    child.once('exit', (code) => rej(new Error(`aerie up exited with ${code}`)));
  });
  return { child, url, tail };
}

/**
 * Removes the game containers this run created (those whose volume lives under `work`):
 * wings leaves containers behind on purpose when it stops, so a test must clean up.
 */
function removeContainers(work) {
  try {
    const ids = execFileSync('docker', ['ps', '-aq'], { encoding: 'utf8' }).split(/\s+/).filter(Boolean);
    if (!ids.length) return;
    const rows = execFileSync('docker', ['inspect', '--format', '{{.Id}} {{range .Mounts}}{{.Source}} {{end}}', ...ids], { encoding: 'utf8' });
    const mine = rows
      .split('\n')
      .map((l) => l.trim().split(' '))
      .filter(([, ...mounts]) => mounts.some((m) => m.startsWith(work)))
      .map(([id]) => id);
    if (mine.length) execFileSync('docker', ['rm', '-f', ...mine], { stdio: 'ignore' });
  } catch (e) {
    log(`could not clean up containers: ${e.message}`);
  }
}

let step = '';
const steps = [];
async function run(name, fn) {
  step = name;
  const t0 = Date.now();
  log(`▶ ${name}`);
  await fn();
  steps.push([name, Date.now() - t0]);
}

async function main() {
  if (!existsSync(bin)) throw new Error(`no aerie binary at ${bin} (set AERIE_BIN)`);
  rmSync(shots, { recursive: true, force: true });
  mkdirSync(shots, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'aerie-e2e-'));
  const dataDir = join(work, 'data');
  mkdirSync(dataDir);
  const aerie = startAerie(dataDir);
  let browser;
  let page;
  let shotNo = 0;
  const shot = async (name) => {
    shotNo++;
    await page.screenshot({ path: join(shots, `${String(shotNo).padStart(2, '0')}-${name}.png`), fullPage: true });
  };
  try {
    const base = await aerie.url;
    log(`panel at ${base}`);
    const adminPassword = /password:\s*(\S+)/.exec(readFileSync(join(dataDir, 'initial-admin.txt'), 'utf8'))?.[1];
    if (!adminPassword) throw new Error('no admin password in initial-admin.txt');

    browser = await chromium.launchPersistentContext(join(work, 'profile'), {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      headless: process.env.E2E_HEADFUL !== '1',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'].filter(
        (a) => a !== '--headless' || process.env.E2E_HEADFUL !== '1',
      ),
      viewport: { width: 1366, height: 900 },
      baseURL: base,
      acceptDownloads: true,
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.setDefaultTimeout(T);
    const consoleErrors = [];
    page.on('pageerror', (e) => consoleErrors.push(String(e)));

    const journey = await import('./journey.mjs');
    await journey.default({ page, base, adminPassword, root, work, run, shot, log, freePort, context: browser });
    if (consoleErrors.length) throw new Error(`uncaught errors in the page:\n${consoleErrors.join('\n')}`);

    console.log('\nsteps:');
    for (const [name, ms] of steps) console.log(`  ${(ms / 1000).toFixed(1).padStart(6)}s  ${name}`);
    console.log(`${steps.length} passed, 0 failed`);
  } catch (e) {
    console.error(`\nE2E FAILED at step: ${step}\n${e?.stack ?? e}`);
    if (page) await page.screenshot({ path: join(shots, `failure-${step.replace(/[^a-z0-9]+/gi, '-')}.png`), fullPage: true }).catch(() => {});
    console.error('\nlast lines of aerie up:');
    // eslint-disable-next-line no-control-regex
    for (const l of aerie.tail.slice(-40)) console.error(`  ${l.replace(/\x1b\[[0-9;]*m/g, '')}`);
    console.log(`${steps.length} passed, 1 failed`);
    process.exitCode = 1;
  } finally {
    await browser?.close().catch(() => {});
    aerie.child.kill('SIGTERM');
    await new Promise((r) => {
      const t = setTimeout(() => {
        aerie.child.kill('SIGKILL');
        r();
      }, 20_000);
      aerie.child.once('exit', () => {
        clearTimeout(t);
        r();
      });
    });
    removeContainers(work);
    if (process.env.E2E_KEEP === '1') log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
    writeFileSync(join(shots, 'README.txt'), `Screenshots of the e2e journey, ${new Date().toISOString()}\n`);
  }
}

await main();
