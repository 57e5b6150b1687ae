// The journey of issue 7, step by step. Selectors go by role and accessible name, as a
// user (or a screen reader) finds things; texts are the English strings of src/strings.ts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LONG = 300_000;

/**
 * E2E_SKIP=install-output,upload marks checks that need server-side work still pending (see
 * web/README.md): they still run, with a short timeout, but a failure is logged as a known
 * gap instead of failing the journey, and a success says it is time to drop the name.
 */
const skipped = (name) => (process.env.E2E_SKIP ?? '').split(',').includes(name);

async function check(name, log, fn) {
  if (!skipped(name)) return fn(LONG);
  try {
    await fn(30_000);
    log(`E2E_SKIP lists "${name}" but it passes now: remove it from E2E_SKIP`);
  } catch (e) {
    log(`KNOWN GAP (E2E_SKIP=${name}), still failing: ${String(e?.message ?? e).split('\n')[0]}`);
  }
}

async function signIn(page, user, password) {
  await page.goto('/auth/login');
  await page.getByLabel('Username or email').fill(user);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'Your servers' }).waitFor();
}

async function signOut(page) {
  await page.getByRole('button', { name: /^Account:/ }).click();
  await page.getByRole('menuitem', { name: 'Sign out', exact: true }).click();
  await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
}

/** The text currently rendered by xterm (visible rows). */
const consoleText = (page) => page.locator('[data-testid="console"] .xterm-rows').innerText();

async function waitConsole(page, needle, timeout = LONG) {
  await page.waitForFunction(
    (n) => (document.querySelector('[data-testid="console"] .xterm-rows')?.textContent ?? '').includes(n),
    needle,
    { timeout, polling: 250 },
  );
}

async function toast(page, text) {
  await page.locator('.mantine-Notification-root', { hasText: text }).first().waitFor();
}

export default async function journey({ page, base, adminPassword, root, work, run, shot, log, freePort }) {
  const user = { username: 'e2e-player', email: 'player@e2e.test', password: 'correct horse battery 7' };
  const gamePort = await freePort();
  const serverName = 'E2E OpenTTD';

  await run('admin signs in', async () => {
    await page.goto('/');
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await shot('login');
    await signIn(page, 'admin', adminPassword);
    await shot('dashboard-admin');
  });

  await run('admin overview', async () => {
    await page.goto('/admin');
    await page.getByTestId('nodes-online').filter({ hasText: /^1 \/ 1$/ }).waitFor();
    await shot('admin-overview');
  });

  const ctx = { page, run, shot, adminPassword, serverName, work };
  await overviewWingsVersion(ctx);
  await settingsAutoAllocation(ctx);
  await applicationKey(ctx);

  await run('admin imports an egg by file', async () => {
    await page.goto('/admin/nests');
    await page.getByRole('link', { name: 'Aerie Games', exact: true }).click();
    await page.getByRole('button', { name: 'Import egg', exact: true }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Import an egg' });
    await dialog.locator('input[type="file"]').setInputFiles(join(root, 'tests/fixtures/eggs/egg-openttd.json'));
    await dialog.getByRole('button', { name: 'Import egg', exact: true }).click();
    await toast(page, 'Egg OpenTTD imported');
    await page.locator('tr[data-egg="OpenTTD"]').waitFor();
    await shot('admin-nest-eggs');
    await page.getByRole('link', { name: 'OpenTTD', exact: true }).click();
    await page.getByRole('tab', { name: 'Variables', exact: true }).click();
    await page.getByLabel('Environment variable').first().waitFor();
    await shot('admin-egg-variables');
  });

  await run('admin creates a node and allocations', async () => {
    await page.goto('/admin/nodes');
    await page.getByRole('button', { name: 'New node', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'New node' });
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('e2e-node');
    await dialog.getByRole('textbox', { name: 'FQDN or IP', exact: true }).fill('127.0.0.2');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('tab', { name: 'Allocations', selected: true }).waitFor();
    await page.getByLabel('Ports').fill('30000-30009, 30100');
    await page.getByRole('button', { name: 'Add allocations', exact: true }).last().click();
    await page.getByTestId('allocations').getByText('30009').waitFor();
    await shot('admin-node-allocations');
    await page.getByRole('tab', { name: 'Configuration', exact: true }).click();
    const cmd = await page.getByTestId('configure-command').innerText();
    if (!/^aerie wings configure --panel http:\/\/127\.0\.0\.1:\d+ --token \S+ --node \d+$/.test(cmd.trim())) throw new Error(`unexpected configure command: ${cmd}`);
    await shot('admin-node-configuration');
    // The game's port on the local node (node 1, the one aerie up runs).
    await page.goto('/admin/nodes/1?tab=allocations');
    await page.getByLabel('IP address').fill('127.0.0.1');
    await page.getByLabel('Ports').fill(String(gamePort));
    await page.getByRole('button', { name: 'Add allocations', exact: true }).last().click();
    await page.getByTestId('allocations').getByText(String(gamePort), { exact: true }).waitFor();
  });

  await nodeSystem(ctx);

  await run('admin creates a user', async () => {
    await page.goto('/admin/users');
    await page.getByRole('button', { name: 'New user', exact: true }).click();
    const d = page.getByRole('dialog');
    await d.getByRole('textbox', { name: 'Username', exact: true }).fill(user.username);
    await d.getByRole('textbox', { name: 'E-mail', exact: true }).fill(user.email);
    await d.getByRole('textbox', { name: 'First name', exact: true }).fill('E2E');
    await d.getByRole('textbox', { name: 'Last name', exact: true }).fill('Player');
    await d.getByLabel(/^Password/).fill(user.password);
    await d.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('cell', { name: user.email }).waitFor();
    await shot('admin-users');
  });

  await run('admin creates a server for the user (deploy wizard)', async () => {
    await page.goto('/admin/servers/new');
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill(serverName);
    await page.getByRole('combobox', { name: 'Owner', exact: true }).click();
    await page.getByRole('option', { name: new RegExp(user.username) }).click();
    await page.getByRole('button', { name: 'Next', exact: true }).click();
    await page.getByRole('combobox', { name: 'Node', exact: true }).click();
    await page.getByRole('option', { name: /local|node/i }).first().click();
    await page.getByRole('combobox', { name: 'Primary allocation', exact: true }).click();
    await page.getByRole('option', { name: `127.0.0.1:${gamePort}` }).click();
    await page.getByRole('button', { name: 'Next', exact: true }).click();
    await page.getByRole('combobox', { name: 'Nests & eggs', exact: true }).click();
    await page.getByRole('option', { name: 'Aerie Games' }).click();
    await page.getByRole('combobox', { name: 'Egg', exact: true }).click();
    await page.getByRole('option', { name: 'OpenTTD' }).click();
    await page.getByLabel('Server Name').fill('Aerie E2E');
    await shot('admin-create-server-game');
    await page.getByRole('button', { name: 'Next', exact: true }).click();
    await page.getByRole('button', { name: 'Next', exact: true }).click();
    // The user starts it: not on completion.
    await page.getByRole('switch', { name: 'Start when installed' }).uncheck();
    await shot('admin-create-server-review');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await toast(page, `Server ${serverName} created`);
    await page.getByRole('tab', { name: 'About', exact: true }).waitFor();
    await shot('admin-server');
    await signOut(page);
  });

  await allocationLimit(ctx);

  let serverPath;
  await run('the user signs in and sees the install output', async () => {
    await signIn(page, user.username, user.password);
    await page.getByRole('article', { name: serverName }).waitFor();
    await shot('dashboard-user');
    await page.getByRole('link', { name: serverName }).click();
    await page.waitForURL(/\/server\/[a-z0-9]{8}$/);
    serverPath = new URL(page.url()).pathname;
    await page.locator('[data-connection="connected"]').waitFor();
    await check('install-output', log, async (timeout) => {
      // The first install may be over before the user gets here (it takes seconds); then
      // the user reinstalls from Settings and watches the installer on the console.
      const seen = await waitConsole(page, 'OpenTTD config written', 5000).then(() => true, () => false);
      if (!seen) {
        await page.getByRole('link', { name: 'Settings', exact: true }).click();
        await page.getByRole('button', { name: 'Reinstall server', exact: true }).click();
        await page.getByRole('dialog').getByRole('button', { name: 'Reinstall server', exact: true }).click();
        await toast(page, 'The server is being reinstalled');
        await page.getByRole('link', { name: 'Console', exact: true }).click();
        await waitConsole(page, 'OpenTTD config written', timeout);
      }
      await shot('console-install');
    });
    // Installed: the start button becomes usable.
    await page.getByRole('button', { name: 'Start', exact: true, disabled: false }).waitFor({ timeout: LONG });
  });

  await run('start: the console shows the game\'s done line', async () => {
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await waitConsole(page, 'Map generated, starting game');
    await page.locator('[data-state="running"]').first().waitFor({ timeout: LONG });
    await page.waitForTimeout(1500); // a couple of stats frames for the charts
    await shot('console-running');
  });

  await run('send a command', async () => {
    const input = page.getByLabel('Console command');
    await input.fill('echo hello-from-the-browser');
    await input.press('Enter');
    await waitConsole(page, 'hello-from-the-browser', T());
    // History: ↑ brings the command back.
    await input.press('ArrowUp');
    if ((await input.inputValue()) !== 'echo hello-from-the-browser') throw new Error('command history did not recall the last command');
    await input.fill('');
    await shot('console-command');
  });

  await run('edit a file and see it saved', async () => {
    await page.goto(`${serverPath}/files`);
    await page.getByRole('button', { name: 'File openttd.cfg', exact: true }).waitFor();
    await shot('files');
    await page.getByRole('button', { name: 'New file', exact: true }).click();
    await page.getByLabel('File name').fill('notes.txt');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const editor = page.locator('.cm-content');
    await editor.waitFor();
    await editor.click();
    await page.keyboard.type('saved from the e2e journey');
    await page.getByTestId('save-file').click();
    await page.getByTestId('file-saved').waitFor();
    await shot('file-editor');
    await page.getByRole('link', { name: 'Back to files', exact: true }).click();
    // Edit the existing file: reopen, append, save, reload, and find the change on the node.
    await page.getByRole('button', { name: 'File notes.txt', exact: true }).click();
    await page.locator('.cm-content', { hasText: 'saved from the e2e journey' }).waitFor();
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(' and edited');
    await page.keyboard.press('Control+s');
    await page.getByTestId('file-saved').waitFor();
    await page.reload();
    await page.locator('.cm-content', { hasText: 'saved from the e2e journey and edited' }).waitFor();
    // A config file opens with syntax highlighting.
    await page.goto(`${serverPath}/files/edit?file=${encodeURIComponent('/openttd.cfg')}`);
    await page.locator('.cm-content', { hasText: 'server_name' }).waitFor();
    await shot('file-editor-config');
  });

  await run('upload files (drag-and-drop queue with progress)', async () => {
    await page.goto(`${serverPath}/files`);
    await check('upload', log, async (timeout) => {
      const dir = mkdtempSync(join(tmpdir(), 'aerie-e2e-upload-'));
      const a = join(dir, 'upload-a.txt');
      const b = join(dir, 'upload-b.bin');
      writeFileSync(a, 'hello from an uploaded file\n');
      writeFileSync(b, Buffer.alloc(3 * 1024 * 1024, 7));
      try {
        await page.getByTestId('upload-input').setInputFiles([a, b]);
        for (const name of ['upload-a.txt', 'upload-b.bin']) {
          const row = page.locator(`[data-upload="${name}"]`);
          await row.and(page.locator('[data-status="done"], [data-status="failed"]')).waitFor({ timeout });
          if ((await row.getAttribute('data-status')) === 'failed') throw new Error((await row.innerText()).split(/\s*\n\s*/).join(" · "));
        }
        await page.getByRole('button', { name: 'File upload-b.bin', exact: true }).waitFor({ timeout });
      } finally {
        await shot('files-upload');
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  await run('create and restore a backup', async () => {
    await page.goto(`${serverPath}/backups`);
    await page.getByRole('button', { name: 'Create backup', exact: true }).click();
    await page.getByRole('dialog').getByLabel('Name (optional)').fill('e2e backup');
    await page.getByRole('dialog').getByRole('button', { name: 'Create backup', exact: true }).click();
    await page.locator('[data-backup="e2e backup"]').waitFor();
    await shot('backup-progress');
    await page.locator('[data-backup="e2e backup"][data-state="done"]').waitFor({ timeout: LONG });
    await shot('backups');
    await page.getByRole('button', { name: 'Actions: e2e backup', exact: true }).click();
    await page.getByRole('menuitem', { name: 'Restore', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Restore', exact: true }).click();
    // The panel marks the server restoring, then wings reports back.
    await page.waitForFunction(() => !document.body.innerText.includes('Restoring…'), null, { timeout: LONG, polling: 500 });
    await page.goto(`${serverPath}/files`);
    await page.getByRole('button', { name: 'File openttd.cfg', exact: true }).waitFor();
  });

  await run('visit the other server pages', async () => {
    for (const [tab, heading] of [
      ['startup', 'Startup'],
      ['network', 'Network'],
      ['settings', 'Settings'],
      ['users', 'Users'],
      ['schedules', 'Schedules'],
      ['databases', 'Databases'],
      ['activity', 'Activity'],
    ]) {
      await page.goto(`${serverPath}/${tab}`);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await page.waitForLoadState('networkidle');
      await shot(`server-${tab}`);
      if (tab === 'users') {
        // The permission editor, grouped as the panel describes the keys.
        await page.getByRole('button', { name: 'Add user', exact: true }).click();
        await page.getByRole('checkbox', { name: 'All control permissions' }).waitFor();
        await shot('server-users-permissions');
        await page.keyboard.press('Escape');
      }
    }
    await page.goto('/account');
    await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
    await shot('account');
  });

  await userAddsAllocation({ ...ctx, serverPath });

  await run('stop the server', async () => {
    await page.goto(serverPath);
    await page.locator('[data-state="running"]').first().waitFor({ timeout: LONG });
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await page.locator('[data-state="offline"]').first().waitFor({ timeout: LONG });
    await shot('console-stopped');
  });

  await run('dark theme', async () => {
    await page.getByRole('button', { name: 'Switch to dark theme', exact: true }).click();
    await page.locator('html[data-mantine-color-scheme="dark"]').waitFor();
    await shot('console-dark');
    await page.reload();
    await page.locator('html[data-mantine-color-scheme="dark"]').waitFor(); // remembered
    await page.goto(`${serverPath}/files`);
    await page.getByRole('button', { name: 'File openttd.cfg', exact: true }).waitFor();
    await shot('files-dark');
  });

  await run('phone layout', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/');
    await page.getByRole('article', { name: serverName }).waitFor();
    await shot('phone-dashboard');
    await page.getByRole('button', { name: 'Open navigation', exact: true }).click();
    await shot('phone-navigation');
    await page.setViewportSize({ width: 1366, height: 900 });
  });

  await mounts(ctx);
  await transferCard(ctx);

  await run('admin pages: servers, build, startup, manage, the rest; delete the server', async () => {
    await signOut(page);
    await signIn(page, 'admin', adminPassword);
    await page.goto('/admin/servers');
    await page.getByRole('link', { name: serverName, exact: true }).click();
    for (const tab of ['Build', 'Startup', 'Manage']) {
      await page.getByRole('tab', { name: tab, exact: true }).click();
      await page.waitForLoadState('networkidle');
      await shot(`admin-server-${tab.toLowerCase()}`);
    }
    for (const [path, heading] of [
      ['/admin/servers', 'Servers'],
      ['/admin/locations', 'Locations'],
      ['/admin/databases', 'Database hosts'],
      ['/admin/mounts', 'Mounts'],
      ['/admin/api', 'Application API'],
      ['/admin/settings', 'Settings'],
    ]) {
      await page.goto(path);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await page.waitForLoadState('networkidle');
      await shot(`admin${path.replace('/admin', '').replace(/\//g, '-')}`);
    }
    await page.goto('/admin/servers');
    await page.getByRole('link', { name: serverName, exact: true }).click();
    await page.getByRole('tab', { name: 'Manage', exact: true }).click();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
    await toast(page, 'Server deleted');
    await page.getByRole('heading', { name: 'Servers', level: 1 }).waitFor();
  });
}

function T() {
  return 60_000;
}

// ---- The admin pages behind the settings, application keys, mounts, transfers and node
// system APIs. Each function is one or more steps of the journey, called in its order.

/** The ten loopback ports `aerie up` gives its local node (25565–25574). */
const AUTO_RANGE = { start: 25565, end: 25574 };

async function overviewWingsVersion({ page, run, shot }) {
  await run('admin overview: the local node reports its wings version', async () => {
    await page.goto('/admin');
    const row = page.getByTestId('wings-version-1');
    await row.filter({ hasText: /\d+\.\d+\.\d+/ }).waitFor();
    if (await row.getByTestId('wings-offline').count()) throw new Error('the local node shows as offline');
    await shot('admin-overview-versions');
  });
}

async function settingsAutoAllocation({ page, run, shot }) {
  await run('admin settings: automatic allocations saved; a reversed range is refused', async () => {
    await page.goto('/admin/settings');
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    await page.getByRole('switch', { name: 'Let users add allocations to their servers' }).check();
    await page.getByRole('textbox', { name: 'Range start', exact: true }).fill(String(AUTO_RANGE.start));
    await page.getByRole('textbox', { name: 'Range end', exact: true }).fill(String(AUTO_RANGE.end));
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await toast(page, 'Settings saved');
    await shot('admin-settings-saved');
    // start > end: refused under the range end, and nothing is saved.
    await page.getByRole('textbox', { name: 'Range start', exact: true }).fill(String(AUTO_RANGE.end));
    await page.getByRole('textbox', { name: 'Range end', exact: true }).fill(String(AUTO_RANGE.start));
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('The range end must be greater than the range start.', { exact: true }).waitFor();
    if ((await page.getByRole('textbox', { name: 'Range end', exact: true }).getAttribute('aria-invalid')) !== 'true') throw new Error('range end not marked invalid');
    await shot('admin-settings-invalid-range');
    await page.reload();
    const start = page.getByRole('textbox', { name: 'Range start', exact: true });
    await start.waitFor();
    if ((await start.inputValue()) !== String(AUTO_RANGE.start)) throw new Error(`range start after reload: ${await start.inputValue()}`);
    if (!(await page.getByRole('switch', { name: 'Let users add allocations to their servers' }).isChecked())) throw new Error('automatic allocations not enabled after reload');
  });
}

async function applicationKey({ page, run, shot }) {
  await run('admin application API key: read on locations only, shown once, then deleted', async () => {
    await page.goto('/admin/api');
    await page.getByRole('heading', { name: 'Application API', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'New application key', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'New application key' });
    await dialog.getByRole('textbox', { name: 'Description' }).fill('e2e locations reader');
    await dialog.getByRole('combobox', { name: 'Locations', exact: true }).click();
    await page.getByRole('option', { name: 'Read', exact: true }).click();
    await shot('admin-api-key-new');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    const token = await page.getByRole('textbox', { name: 'API key', exact: true }).inputValue();
    if (!/^ptla_\S+$/.test(token)) throw new Error(`unexpected token: ${token}`);
    const row = page.getByRole('row', { name: /e2e locations reader/ });
    await row.waitFor();
    await shot('admin-api-key-created');
    const status = (path) =>
      page.evaluate(
        async ([p, t]) => (await fetch(p, { headers: { Authorization: `Bearer ${t}`, Accept: 'application/json' }, credentials: 'omit' })).status,
        [path, token],
      );
    const got = { locations: await status('/api/application/locations'), nodes: await status('/api/application/nodes') };
    if (got.locations !== 200 || got.nodes !== 403) throw new Error(`with the key: locations ${got.locations} (want 200), nodes ${got.nodes} (want 403)`);
    await row.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
    await row.waitFor({ state: 'detached' });
    // The token of a deleted key is no longer offered for copying.
    await page.getByRole('textbox', { name: 'API key', exact: true }).waitFor({ state: 'detached' });
    const after = await status('/api/application/locations');
    if (after !== 401) throw new Error(`with the deleted key: locations ${after} (want 401)`);
    await shot('admin-api-key-deleted');
  });
}

async function nodeSystem({ page, run, shot }) {
  await run('admin node page: the System card shows the wings version', async () => {
    await page.goto('/admin/nodes/1');
    const row = page.getByRole('row', { name: /^Wings version/ });
    await row.filter({ hasText: /\d+\.\d+\.\d+/ }).waitFor();
    await page.getByRole('row', { name: /^Kernel/ }).waitFor();
    if (await page.getByTestId('wings-offline').count()) throw new Error('the local node shows as offline');
    await shot('admin-node-system');
  });
}

async function openAdminServer(page, serverName, tab) {
  await page.goto('/admin/servers');
  await page.getByRole('link', { name: serverName, exact: true }).click();
  await page.getByRole('tab', { name: 'About', exact: true }).waitFor();
  if (tab) await page.getByRole('tab', { name: tab, exact: true }).click();
}

async function allocationLimit({ page, run, shot, adminPassword, serverName }) {
  await run('admin allows the server a second allocation', async () => {
    await signIn(page, 'admin', adminPassword);
    await openAdminServer(page, serverName, 'Build');
    await page.getByRole('textbox', { name: 'Allocation limit', exact: true }).fill('2');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await toast(page, 'Saved');
    await shot('admin-server-allocation-limit');
    await signOut(page);
  });
}

async function userAddsAllocation({ page, run, shot, serverPath }) {
  await run('the user adds an allocation from the automatic range', async () => {
    await page.goto(`${serverPath}/network`);
    await page.getByText('1 of 2 allocations used', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Add allocation', exact: true }).click();
    await page.getByText('2 of 2 allocations used', { exact: true }).waitFor();
    const hosts = await page.getByRole('textbox', { name: 'Hostname', exact: true }).evaluateAll((els) => els.map((e) => e.value));
    const ports = hosts.map((h) => Number(h.split(':').pop()));
    if (!ports.some((p) => p >= AUTO_RANGE.start && p <= AUTO_RANGE.end)) throw new Error(`no allocation from ${AUTO_RANGE.start}-${AUTO_RANGE.end}: ${hosts.join(', ')}`);
    if (!(await page.getByRole('button', { name: 'Add allocation', exact: true }).isDisabled())) throw new Error('Add allocation still enabled at the limit');
    await shot('server-network-added');
  });
}

async function mounts({ page, run, shot, adminPassword, serverName, work }) {
  const name = 'e2e maps';
  const source = join(work, 'maps');
  mkdirSync(source, { recursive: true });
  await run('admin mounts: create, link to the node and the egg', async () => {
    await signOut(page);
    await signIn(page, 'admin', adminPassword);
    await page.goto('/admin/mounts');
    await page.getByRole('heading', { name: 'Mounts', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'New mount', exact: true }).click();
    let dialog = page.getByRole('dialog', { name: 'New mount' });
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill(name);
    await dialog.getByRole('textbox', { name: 'Source (path on the node)' }).fill(source);
    await dialog.getByRole('textbox', { name: 'Target (path in the container)' }).fill('/mnt/maps');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await toast(page, `Mount ${name} created`);
    // The dialog stays open on the new mount, for its links.
    dialog = page.getByRole('dialog', { name });
    await dialog.getByRole('combobox', { name: 'Eggs', exact: true }).click();
    await page.getByRole('option', { name: 'OpenTTD', exact: true }).click();
    // A multi-select stays open after a pick; a click beside it closes it.
    await dialog.getByText('Where it may be used').click();
    await dialog.getByRole('combobox', { name: 'Nodes', exact: true }).click();
    await page.getByRole('option', { name: 'local', exact: true }).click();
    await dialog.getByText('Where it may be used').click();
    await shot('admin-mount-links');
    await dialog.getByRole('button', { name: 'Save links', exact: true }).click();
    await toast(page, 'Links saved');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    const row = page.getByRole('row', { name: new RegExp(name) });
    await row.filter({ hasText: `${source} → /mnt/maps` }).waitFor();
    // Eggs, nodes, servers.
    const counts = await row.getByRole('cell').evaluateAll((cells) => cells.slice(3, 6).map((c) => c.textContent.trim()));
    if (counts.join(',') !== '1,1,0') throw new Error(`eggs, nodes, servers: ${counts.join(', ')} (want 1, 1, 0)`);
    await shot('admin-mounts');
  });

  await run('admin mounts: attach to the server (mounted), detach, delete', async () => {
    await openAdminServer(page, serverName);
    await page.getByRole('combobox', { name: 'Mount to attach', exact: true }).click();
    await page.getByRole('option', { name: new RegExp(`^${name} `) }).click();
    await page.getByRole('button', { name: 'Attach', exact: true }).click();
    await toast(page, 'Mount attached');
    const attached = page.getByRole('row', { name: new RegExp(name) });
    await attached.getByText('Mounted', { exact: true }).waitFor();
    await shot('admin-server-mount-attached');
    await attached.getByRole('button', { name: 'Detach', exact: true }).click();
    await toast(page, 'Mount detached');
    await page.getByText('No mounts are attached to this server.', { exact: true }).waitFor();
    await page.goto('/admin/mounts');
    const row = page.getByRole('row', { name: new RegExp(name) });
    await row.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
    await toast(page, 'Mount deleted');
    await page.getByText('No mounts yet.', { exact: true }).waitFor();
    await shot('admin-mounts-deleted');
  });
}

async function transferCard({ page, run, shot, serverName }) {
  await run('admin server page: the transfer card offers the other node (not started)', async () => {
    await openAdminServer(page, serverName, 'Manage');
    // The journey's second node (e2e-node, never online) is the only other one.
    await page.getByText('Moves the server and its files to another node.', { exact: false }).waitFor();
    const start = page.getByRole('button', { name: 'Start transfer', exact: true });
    if (!(await start.isDisabled())) throw new Error('Start transfer enabled before a node is picked');
    await page.getByRole('combobox', { name: 'Target node', exact: true }).click();
    const options = await page.getByRole('option').allInnerTexts();
    if (options.join(',') !== 'e2e-node') throw new Error(`target nodes offered: ${options.join(', ')} (want only e2e-node)`);
    await page.getByRole('option', { name: 'e2e-node', exact: true }).click();
    await page.getByRole('combobox', { name: 'Primary allocation on the target', exact: true }).click();
    await page.getByRole('option', { name: '127.0.0.2:30000', exact: true }).click();
    if (await start.isDisabled()) throw new Error('Start transfer still disabled with a node and an allocation');
    await shot('admin-server-transfer');
  });
}
