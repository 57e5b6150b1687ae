// The journey of issue 7, step by step. Selectors go by role and accessible name, as a
// user (or a screen reader) finds things; texts are the English strings of src/strings.ts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

export default async function journey({ page, base, adminPassword, root, run, shot, log, freePort }) {
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
