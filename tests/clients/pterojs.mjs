// Drives Aerie's Application and Client APIs with the unmodified PteroJS client
// (npm `@devnote-dev/pterojs` 2.2.2, installed by scripts/setup-clients) against a live panel
// and node running a real OpenTTD server. Only PteroJS's own methods are called; where
// PteroJS is itself wrong against real Pterodactyl, the workaround is marked "PteroJS quirk".
//
// Usage (AERIE_TEST_CLIENTS_NODE_PATH = the node_modules holding PteroJS):
//   node pterojs.mjs <panel url> <ptla key> <ptlc key> <server identifier> <free port>
// Prints "step: <name>" per step and "pterojs: all steps passed" at the end; exits non-zero
// with the failing step, the error and PteroJS's last requests on any failure.

import { createRequire } from "node:module";
import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const nodePath = process.env.AERIE_TEST_CLIENTS_NODE_PATH;
if (!nodePath) {
  console.error("AERIE_TEST_CLIENTS_NODE_PATH is not set (run scripts/setup-clients)");
  process.exit(2);
}
// Resolve packages as a module sitting in that node_modules directory would.
const require = createRequire(path.join(nodePath, "aerie-pterojs-loader.js"));
const { PteroApp, PteroClient, PteroAPIError, version } = require("@devnote-dev/pterojs");

const [url, appKey, clientKey, ident, freePort] = process.argv.slice(2);
if (!freePort) {
  console.error("usage: pterojs.mjs <panel url> <ptla key> <ptlc key> <server identifier> <free port>");
  process.exit(2);
}
// What the OpenTTD egg understands: a console command and a user-editable variable.
const COMMAND = "status";
const VARIABLE = "SERVER_NAME";

const app = new PteroApp(url, appKey);
const client = new PteroClient(url, clientKey);

// PteroJS's own request events: keep the last requests to explain a failure.
const trail = [];
for (const [side, requests] of [["app", app.requests], ["client", client.requests]]) {
  requests.on("debug", (line) => {
    trail.push(`${side} ${line}`);
    if (trail.length > 12) trail.shift();
  });
  requests.on("postRequest", (body) => {
    trail.push(`${side} [HTTP] response: ${JSON.stringify(body)?.slice(0, 600)}`);
    if (trail.length > 12) trail.shift();
  });
}

let current = "start";
function step(name) {
  current = name;
  console.log(`step: ${name}`);
}

/**
 * JSON for failure messages. PteroJS objects hold their client (cyclic) and have toJSON()
 * methods that recurse into it, so they are copied by hand first; Dicts are Maps.
 */
function show(value) {
  const seen = new WeakSet();
  const plain = (v, depth) => {
    if (typeof v === "bigint") return `${v}`;
    if (v instanceof Date) return Number.isNaN(v.getTime()) ? "Invalid Date" : v.toISOString();
    if (!v || typeof v !== "object") return v;
    if (seen.has(v) || depth > 8) return "[...]";
    seen.add(v);
    if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, plain(x, depth + 1)]));
    if (Array.isArray(v)) return v.map((x) => plain(x, depth + 1));
    const out = {};
    for (const [k, x] of Object.entries(v)) if (k !== "client") out[k] = plain(x, depth + 1);
    return out;
  };
  return JSON.stringify(plain(value, 0));
}

function check(cond, what, value) {
  if (!cond) throw new Error(`${what}: ${show(value)}`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function wait(what, probe, seconds = 180) {
  const deadline = Date.now() + seconds * 1000;
  let last;
  for (;;) {
    last = await probe();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}

function withTimeout(promise, seconds, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), seconds * 1000);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** An OpenSSH `ssh-ed25519 AAAA...` public key line, built from Node's own key generator. */
function sshEd25519PublicKey() {
  const { publicKey } = generateKeyPairSync("ed25519");
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  const field = (buf) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(buf.length);
    return Buffer.concat([len, buf]);
  };
  const blob = Buffer.concat([field(Buffer.from("ssh-ed25519")), field(raw)]);
  return `ssh-ed25519 ${blob.toString("base64")} pterojs@aerie`;
}

async function applicationSide() {
  step("app: users (list, by id, create, by external id, filter, update, delete)");
  const users = await app.users.fetch();
  check(users.size >= 2, "users list holds the admin and the server owner", [...users.keys()]);
  const first = users.first();
  const byId = await app.users.fetch(first.id, { force: true });
  check(byId.id === first.id && byId.username === first.username, "user by id", byId);
  const made = await app.users.create({
    username: "pterojs",
    email: "pterojs@example.com",
    firstname: "Ptero",
    lastname: "JS",
    password: "pterojs-password-1",
    externalId: "pterojs-ext-1",
  });
  check(made.id && made.username === "pterojs" && made.externalId === "pterojs-ext-1", "created user", made);
  const byExt = await app.users.fetch("pterojs-ext-1", { force: true });
  check(byExt.id === made.id, "user by external id", byExt);
  const filtered = await app.users.query("pterojs@example.com", { filter: "email" });
  check(filtered.size === 1 && filtered.first().id === made.id, "users filtered by email", [...filtered.keys()]);
  const updated = await app.users.update(made.id, { lastname: "Updated" });
  check(updated.lastname === "Updated" && updated.email === "pterojs@example.com", "updated user", updated);
  await app.users.delete(made.id);
  const gone = await app.users.fetch();
  check(!gone.has(made.id), "deleted user is gone", [...gone.keys()]);

  step("app: locations (create, fetch, list, update, delete)");
  const loc = await app.locations.create("pjs", "PteroJS test location");
  check(loc.id && loc.short === "pjs" && loc.long === "PteroJS test location", "created location", loc);
  const locAgain = await app.locations.fetch(loc.id, { force: true });
  check(locAgain.short === "pjs", "location by id", locAgain);
  const locs = await app.locations.fetch();
  check(locs.has(loc.id), "location list", [...locs.keys()]);
  // Pterodactyl 1.11 validates `short` as required on PATCH too (LocationRules on update),
  // so both fields are sent, as a PteroJS user must against the real panel.
  const locUpdated = await app.locations.update(loc.id, { short: "pjs", long: "changed by PteroJS" });
  check(locUpdated.long === "changed by PteroJS", "updated location", locUpdated);
  await app.locations.delete(loc.id);

  step("app: nodes (list, with includes, deployable, configuration)");
  const nodes = await app.nodes.fetch();
  check(nodes.size >= 1, "node list", [...nodes.keys()]);
  const nodeId = nodes.firstKey();
  const node = await app.nodes.fetch(nodeId, { force: true, include: ["location", "allocations"] });
  check(node.id === nodeId && node.fqdn && node.daemon.listening, "node with includes", node);
  // PteroJS sends these as a JSON body on the GET (Laravel reads JSON input on any method).
  const deployable = await app.nodes.fetchDeployable({ memory: 128, disk: 128 });
  check(deployable.has(nodeId), "deployable nodes", [...deployable.keys()]);
  const config = await app.nodes.getConfig(nodeId);
  check(config.uuid && config.token && config.api && config.remote, "node configuration", Object.keys(config));

  step("app: node allocations (create for the free port, fetch, available, delete)");
  await app.allocations.create(nodeId, "127.0.0.1", [String(freePort)]);
  const allocs = await app.allocations.fetch(nodeId, { force: true, perPage: 100 });
  const mine = allocs.find((a) => a.port === Number(freePort) && a.ip === "127.0.0.1");
  check(mine && mine.assigned === false, "the new allocation is listed, unassigned", [...allocs.values()]);
  const available = await app.allocations.fetchAvailable(nodeId);
  check(available.has(mine.id), "the new allocation is available", [...available.keys()]);
  await app.allocations.delete(nodeId, mine.id);
  const afterDelete = await app.allocations.fetch(nodeId, { force: true, perPage: 100 });
  check(!afterDelete.has(mine.id), "deleted allocation is gone", [...afterDelete.keys()]);

  step("app: servers (list, fetch with includes)");
  const servers = await app.servers.fetch();
  const listed = servers.find((s) => s.identifier === ident);
  check(listed, "the server is in the application list", [...servers.values()].map((s) => s.identifier));
  const serverId = listed.id;
  const server = await app.servers.fetch(serverId, {
    force: true,
    include: ["allocations", "user", "subusers", "nest", "egg", "variables", "location", "node", "databases"],
  });
  check(server.owner && server.owner.id === server.ownerId, "server include user", server);
  check(server.node && server.node.id === server.nodeId, "server include node", server);
  check(server.container && server.container.image && server.container.startupCommand, "server container", server.container);

  step("app: nests and eggs (with variables)");
  const nests = await app.nests.fetch();
  check(nests.has(server.nest), "nest list", [...nests.keys()]);
  const nest = await app.nests.fetch(server.nest, ["eggs"]);
  check(nest.id === server.nest && nest.relationships?.eggs?.data?.length, "nest with eggs", nest);
  const eggs = await app.nests.eggs.fetch(server.nest);
  check(eggs.has(server.egg), "eggs in nest", [...eggs.keys()]);
  const egg = await app.nests.eggs.fetch(server.nest, server.egg, { force: true, include: ["variables"] });
  // PteroJS camel-cases the whole document, relationships included.
  const vars = egg.relationships?.variables?.data ?? [];
  check(vars.some((v) => v.attributes.envVariable === VARIABLE), "egg with variables", vars);

  // Suspension touches the server's status, so wait for the install to finish first (on
  // Pterodactyl unsuspending clears the status column, "installing" included).
  await wait("install (application view)", async () => {
    const s = await app.servers.fetch(serverId, { force: true });
    if (s.status === "install_failed") throw new Error("the install failed");
    return !s.status;
  }, 300);

  step("app: servers (details, build, startup, suspend, unsuspend)");
  const renamed = await app.servers.updateDetails(serverId, { name: "Transport tycoons (PteroJS)" });
  check(renamed.name === "Transport tycoons (PteroJS)" && renamed.ownerId === server.ownerId, "details", renamed);
  const built = await app.servers.updateBuild(serverId, { limits: { memory: 1536 }, featureLimits: { backups: 3 } });
  check(built.limits.memory === 1536 && built.featureLimits.backups === 3, "build", built);
  check(built.limits.disk === server.limits.disk && built.allocation === server.allocation, "build kept the rest", built);
  const env = { ...server.container.environment, [VARIABLE]: "Aerie via PteroJS (app)" };
  const started = await app.servers.updateStartup(serverId, { environment: env });
  check(started.container.environment[VARIABLE] === "Aerie via PteroJS (app)", "startup", started.container);
  check(started.container.startupCommand === server.container.startupCommand && started.egg === server.egg, "startup kept the rest", started.container);
  await app.servers.suspend(serverId);
  const suspended = await app.servers.fetch(serverId, { force: true });
  check(suspended.suspended === true, "suspended", suspended);
  await app.servers.unsuspend(serverId);
  const unsuspended = await app.servers.fetch(serverId, { force: true });
  check(unsuspended.suspended === false && !unsuspended.status, "unsuspended", unsuspended);
}

async function clientSide() {
  step("client: account, activity, API keys, SSH keys");
  const account = await client.account.fetch();
  check(account.id && account.username && account.email && account.isAdmin === false, "account", account);
  const activity = await client.account.fetchActivities();
  check(Array.isArray(activity), "account activity", activity);
  const key = await client.account.createKey("pterojs key", ["127.0.0.1"]);
  check(key.identifier && key.token && key.allowedIps?.includes("127.0.0.1"), "created API key", key);
  const keys = await client.account.fetchKeys();
  check(keys.some((k) => k.identifier === key.identifier), "API key list", keys);
  await client.account.deleteKey(key.identifier);
  const keysAfter = await client.account.fetchKeys();
  check(!keysAfter.some((k) => k.identifier === key.identifier), "deleted API key", keysAfter);
  const sshKey = await client.account.createSSHKey("pterojs", sshEd25519PublicKey());
  check(sshKey.fingerprint && sshKey.name === "pterojs", "created SSH key", sshKey);
  const sshKeys = await client.account.fetchSSHKeys();
  check(sshKeys.some((k) => k.fingerprint === sshKey.fingerprint), "SSH key list", sshKeys);
  await client.account.removeSSHKey(sshKey.fingerprint);
  check(!(await client.account.fetchSSHKeys()).some((k) => k.fingerprint === sshKey.fingerprint), "removed SSH key", null);

  step("client: permissions and server list (GET /api/client)");
  const permissions = await client.fetchPermissions();
  check(permissions?.control?.keys && permissions?.websocket, "system permissions", permissions);
  const servers = await client.servers.fetch();
  check(servers.has(ident), "the server is in the client list", [...servers.keys()]);
  await wait("install (client view)", async () => !(await client.servers.fetch(ident, { force: true })).installing, 300);
  const server = await client.servers.fetch(ident, { force: true });
  // PteroJS reads `is_owner`, which Pterodactyl 1.x does not send (it sends `server_owner`),
  // so `isOwner` stays undefined against the real panel too.
  check(server.identifier === ident && server.sftpDetails?.port && server.uuid, "client server", server);

  step("client: rename and docker image");
  await client.servers.rename(ident, "Transport tycoons (PteroJS client)");
  const renamed = await client.servers.fetch(ident, { force: true });
  check(renamed.name === "Transport tycoons (PteroJS client)", "renamed", renamed);
  await client.servers.setDockerImage(ident, server.dockerImage);

  step("client: power start until running, resources, console command");
  await client.servers.setPowerState(ident, "start");
  await wait("running", async () => (await client.servers.fetchResources(ident)).currentState === "running");
  const usage = await client.servers.fetchResources(ident);
  for (const k of ["memoryBytes", "cpuAbsolute", "diskBytes", "networkRxBytes", "networkTxBytes", "uptime"]) {
    check(k in usage.resources, `resources.${k}`, usage);
  }
  check(usage.isSuspended === false, "resources is_suspended", usage);
  await client.servers.sendCommand(ident, COMMAND);

  step("client: websocket shard (auth success, status, logs, stats)");
  // PteroJS quirk: shards send no Origin header unless `ws.useOrigin` is set, and Wings
  // (ours and Pterodactyl's) refuses a websocket whose Origin is not the panel URL.
  client.ws.useOrigin = true;
  const shard = client.addSocketServer(ident);
  const wsErrors = [];
  // PteroJS emits "error" for daemon/JWT errors and for events it does not know.
  shard.on("error", (e) => wsErrors.push(String(e)));
  const authed = new Promise((res) => shard.once("authSuccess", res));
  const status = new Promise((res) => shard.once("statusUpdate", res));
  await shard.connect();
  await withTimeout(authed, 30, "websocket auth success");
  const state = await withTimeout(status, 30, "a status event after auth");
  check(state === "running", "websocket status", state);
  const logs = await withTimeout(shard.request("sendLogs"), 30, "console output after send logs");
  check(typeof logs === "string", "console output", logs);
  const stats = await withTimeout(shard.request("sendStats"), 30, "stats after send stats");
  check(stats.state === "running" && "memoryBytes" in stats, "stats", stats);
  await shard.request("sendCommand", COMMAND);
  check(!wsErrors.some((e) => /jwt|daemon/i.test(e)), "websocket errors", wsErrors);
  // Events PteroJS does not know (it reports them as errors) are only listed.
  for (const e of wsErrors) console.log(`  websocket: ${e}`);
  client.removeSocketServer(ident);

  step("client: files (write, read, rename, chmod, folder, compress, download, delete)");
  const files = server.files;
  await files.write("/pterojs.txt", "hello from PteroJS\n");
  const content = await files.getContents("/pterojs.txt");
  check(content === "hello from PteroJS\n", "file contents", content);
  await files.rename("/", [{ from: "pterojs.txt", to: "pterojs-renamed.txt" }]);
  await files.chmod("/", [{ file: "pterojs-renamed.txt", mode: "600" }]);
  await files.createFolder("/", "pterojs-dir");
  const archive = await files.compress("/", ["pterojs-renamed.txt"]);
  check(archive.name && archive.isFile, "archive", archive);
  const listing = await files.fetch("/");
  const renamedFile = listing.get("pterojs-renamed.txt");
  check(renamedFile && renamedFile.modeBits === 600n, "renamed + chmodded file", renamedFile);
  check(listing.get("pterojs-dir")?.isFile === false && listing.has(archive.name), "folder and archive", [...listing.keys()]);
  const fileUrl = await files.getDownloadURL("/pterojs-renamed.txt");
  const fetched = await fetch(fileUrl);
  check(fetched.status === 200 && (await fetched.text()) === "hello from PteroJS\n", "file download", fileUrl);
  await files.delete("/", ["pterojs-renamed.txt", "pterojs-dir", archive.name]);
  const after = await files.fetch("/");
  check(!after.has("pterojs-renamed.txt") && !after.has("pterojs-dir") && !after.has(archive.name), "deleted files", [...after.keys()]);

  step("client: startup variables");
  const startup = await client.servers.fetchStartup(ident);
  check(startup.startupCommand && startup.variables.some((v) => v.envVariable === VARIABLE), "startup", startup);
  const variable = await client.servers.setVariable(ident, VARIABLE, "Aerie via PteroJS");
  check(variable.envVariable === VARIABLE && variable.serverValue === "Aerie via PteroJS", "variable", variable);

  step("client: network allocations");
  const allocs = await server.network.fetch();
  const primary = allocs.find((a) => a.isDefault);
  check(primary, "primary allocation", [...allocs.values()]);
  // PteroJS quirk: setNote() camel-cases the whole document instead of its attributes, so
  // its return value has no id; the note is checked by fetching again.
  await server.network.setNote(primary.id, "main port (PteroJS)");
  const noted = (await server.network.fetch()).get(primary.id);
  check(noted.notes === "main port (PteroJS)", "allocation note", noted);

  step("client: subusers (add by email, list, remove)");
  const sub = await server.users.add("pterojs-friend@example.com", ["control.console"]);
  check(sub.uuid && sub.email === "pterojs-friend@example.com", "subuser", sub);
  check(sub.permissions.hasAll("control.console", "websocket.connect"), "subuser permissions", sub.permissions.value);
  const subs = await server.users.fetch();
  check(subs.has(sub.uuid), "subuser list", [...subs.keys()]);
  await server.users.remove(sub.uuid);
  check(!(await server.users.fetch()).has(sub.uuid), "removed subuser", null);

  step("client: schedules (create, add task, execute)");
  // PteroJS quirk: create() defaults day_of_week/day_of_month but not month, which
  // Pterodactyl requires, so it is passed explicitly.
  const schedule = await client.schedules.create(ident, {
    name: "pterojs nightly",
    minute: "0",
    hour: "4",
    dayOfWeek: "*",
    dayOfMonth: "*",
    month: "*",
    active: true,
    onlyWhenOnline: false,
  });
  check(schedule.id && schedule.name === "pterojs nightly" && schedule.cron.hour === "4", "schedule", schedule);
  const task = await schedule.createTask("command", COMMAND, 0);
  check(task.id && task.action === "command" && task.payload === COMMAND, "task", task);
  await schedule.execute();
  const ran = await wait("the schedule run", async () => {
    const s = await client.schedules.fetch(ident, schedule.id, { force: true });
    return s.lastRunAt.getTime() > 0 && !s.processing ? s : null;
  });
  check(ran.tasks.has(task.id), "schedule tasks", [...ran.tasks.keys()]);
  await client.schedules.delete(ident, schedule.id);

  step("client: backups (create, wait, lock, unlock, download URL, download, delete)");
  const backup = await server.backups.create();
  check(backup.uuid && !backup.completedAt, "backup", backup);
  const done = await wait("the backup", async () => {
    const b = await server.backups.fetch(backup.uuid, { force: true });
    return b.completedAt ? b : null;
  });
  check(done.successful && done.bytes > 0, "completed backup", done);
  const locked = await server.backups.toggleLock(backup.uuid);
  check(locked.locked === true, "locked backup", locked);
  const unlocked = await server.backups.toggleLock(backup.uuid);
  check(unlocked.locked === false, "unlocked backup", unlocked);
  const backupUrl = await server.backups.getDownloadURL(backup.uuid);
  const got = await fetch(backupUrl);
  check(got.status === 200 && (await got.arrayBuffer()).byteLength > 0, "backup download URL", backupUrl);
  const dir = mkdtempSync(path.join(tmpdir(), "pterojs-"));
  try {
    const dest = path.join(dir, "backup.tar.gz");
    await server.backups.download(backup.uuid, dest);
    check(existsSync(dest) && statSync(dest).size > 0, "backup downloaded by PteroJS", dest);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  await server.backups.delete(backup.uuid);
  const backups = await server.backups.fetch();
  check(!backups.has(backup.uuid), "deleted backup", [...backups.keys()]);

  step("client: databases (create, list, rotate, delete)");
  const db = await server.databases.create("pterojs", "%");
  check(db.id && db.name.endsWith("_pterojs") && db.connectionsFrom === "%", "database", db);
  const dbs = await server.databases.fetch();
  check(dbs.has(db.id), "database list", [...dbs.keys()]);
  const rotated = await server.databases.rotate(db.id);
  check(rotated.id === db.id, "rotated database", rotated);
  await server.databases.delete(db.id);
  check(!(await server.databases.fetch()).has(db.id), "deleted database", null);

  step("client: power stop until offline");
  await client.servers.setPowerState(ident, "stop");
  await wait("offline", async () => (await client.servers.fetchResources(ident)).currentState === "offline");
}

try {
  console.log(`PteroJS ${version} against ${url}`);
  await applicationSide();
  await clientSide();
  client.disconnect();
  console.log("pterojs: all steps passed");
  process.exit(0);
} catch (e) {
  console.error(`FAILED in step "${current}": ${e?.stack ?? e}`);
  if (e instanceof PteroAPIError) console.error(`codes ${JSON.stringify(e.codes)} meta ${JSON.stringify(e.meta)}`);
  console.error("last PteroJS requests:\n" + trail.join("\n"));
  process.exit(1);
}
