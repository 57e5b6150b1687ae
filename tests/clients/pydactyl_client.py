"""Drives Aerie's Client API with the unmodified py-dactyl client (PyPI) against a live panel
and node running a real game server, then reads metrics once with the unmodified
pterodactyl-exporter. Usage:
  python pydactyl_client.py <panel url> <ptlc key> <server identifier> <command> <variable>
Exits non-zero (with the failing step) when anything differs from what the clients expect."""
import json
import sys
import time
from urllib.parse import urlparse

import requests
import websocket
from pydactyl import PterodactylClient

url, key, ident, command, variable = sys.argv[1:6]
api = PterodactylClient(url, key)
c = api.client


def step(name):
    print(f"step: {name}", flush=True)


def wait(what, check, seconds=180):
    deadline = time.time() + seconds
    while True:
        value = check()
        if value:
            return value
        assert time.time() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)


step("account and API keys")
acct = c.account.get_account()
assert acct["object"] == "user", acct
for k in ("id", "admin", "username", "email", "first_name", "last_name", "language"):
    assert k in acct["attributes"], (k, acct)
made = c.account.api_key_create("ci key", ["127.0.0.1"])
assert len(made["meta"]["secret_token"]) == 32, made
ident_k = made["attributes"]["identifier"]
# api_key_list returns the list of attributes (py-dactyl's parse_response).
assert any(k["identifier"] == ident_k for k in c.account.api_key_list())
c.account.api_key_delete(ident_k)
assert not any(k["identifier"] == ident_k for k in c.account.api_key_list())

step("server list, view, permissions")
listed = c.servers.list_servers().collect()
assert any(s["attributes"]["identifier"] == ident for s in listed), listed
perms = c.servers.list_permissions()
assert perms["object"] == "system_permissions", perms
wait("install", lambda: not c.servers.get_server(ident)["is_installing"], 300)
server = c.servers.get_server(ident)
assert server["identifier"] == ident and server["sftp_details"]["port"], server

step("power start until running, then a console command")
c.servers.send_power_action(ident, "start")
wait("running", lambda: c.servers.get_server_utilization(ident)["current_state"] == "running")
usage = c.servers.get_server_utilization(ident)
for k in ("memory_bytes", "cpu_absolute", "disk_bytes", "network_rx_bytes", "network_tx_bytes", "uptime"):
    assert k in usage["resources"], (k, usage)
r = c.servers.send_console_command(ident, command)
assert r.status_code == 204, r

step("websocket auth with the token the API hands out")
ws_info = c.servers.get_websocket(ident)["data"]
ws = websocket.create_connection(ws_info["socket"], origin=url, timeout=20)
ws.send(json.dumps({"event": "auth", "args": [ws_info["token"]]}))
events = []
while "auth success" not in events:
    events.append(json.loads(ws.recv())["event"])
    assert len(events) < 50, events
ws.close()

step("files: write, read, rename, compress, list, delete")
c.servers.files.write_file(ident, "notes.txt", "hello from py-dactyl\n")
body = c.servers.files.get_file_contents(ident, "notes.txt", json=False)
assert body.text == "hello from py-dactyl\n", body.text
c.servers.files.rename_file(ident, "notes.txt", "renamed.txt")
archive = c.servers.files.compress_files(ident, ["renamed.txt"])
archive_name = archive["attributes"]["name"]
names = [f["attributes"]["name"] for f in c.servers.files.list_files(ident)["data"]]
assert "renamed.txt" in names and archive_name in names, names
c.servers.files.delete_files(ident, ["renamed.txt", archive_name])
names = [f["attributes"]["name"] for f in c.servers.files.list_files(ident)["data"]]
assert "renamed.txt" not in names and archive_name not in names, names
c.servers.files.write_file(ident, "fetch-me.txt", "signed download\n")
download = c.servers.files.download_file(ident, "fetch-me.txt")
assert urlparse(download).path.endswith("/download/file"), download
assert requests.get(download, timeout=30).text == "signed download\n"

step("startup variables and network allocations")
variables = c.servers.startup.list_variables(ident)
assert variables["meta"]["startup_command"], variables
c.servers.startup.update_variable(ident, variable, "Aerie via py-dactyl")
after = {v["attributes"]["env_variable"]: v["attributes"]["server_value"]
         for v in c.servers.startup.list_variables(ident)["data"]}
assert after[variable] == "Aerie via py-dactyl", after
allocs = c.servers.network.list_allocations(ident)["data"]
assert allocs and allocs[0]["attributes"]["is_default"], allocs
primary = allocs[0]["attributes"]["id"]
c.servers.network.set_allocation_note(ident, primary, "main port")

step("subusers")
sub = c.servers.users.create_user(ident, "friend@example.com", ["control.console"])
sub_uuid = sub["attributes"]["uuid"]
assert "websocket.connect" in sub["attributes"]["permissions"], sub
assert any(u["attributes"]["uuid"] == sub_uuid for u in c.servers.users.list_users(ident)["data"])
c.servers.users.delete_user(ident, sub_uuid)

step("schedules: create, add a task, run now")
sched = c.servers.schedules.create_schedule(ident, "nightly", "0", "4", "*", "*", "*")
sid = sched["attributes"]["id"]
c.servers.schedules.create_task(ident, sid, "command", command, "0")
c.servers.schedules.run_schedule(ident, sid)
wait("schedule run", lambda: (lambda s: s["last_run_at"] and not s["is_processing"])(
    c.servers.schedules.get_schedule_details(ident, sid)["attributes"]))
c.servers.schedules.delete_schedule(ident, sid)

step("backups: create, download, restore, delete")
backup = c.servers.backups.create_backup(ident)
buuid = backup["attributes"]["uuid"]
done = wait("backup", lambda: (lambda b: b if b["completed_at"] else None)(
    c.servers.backups.get_backup_detail(ident, buuid)["attributes"]))
assert done["is_successful"] and done["bytes"] > 0, done
link = c.servers.backups.get_backup_download(ident, buuid)["attributes"]["url"]
got = requests.get(link, timeout=60)
assert got.status_code == 200 and len(got.content) > 0, got.status_code
c.servers.send_power_action(ident, "stop")
wait("offline", lambda: c.servers.get_server_utilization(ident)["current_state"] == "offline")
c.servers.backups.restore_backup(ident, buuid)
wait("restore", lambda: c.servers.get_server(ident)["status"] is None, 120)
c.servers.backups.delete_backup(ident, buuid)

step("databases: create, rotate, delete")
db = c.servers.databases.create_database(ident, "main", "%")
dbid = db["attributes"]["id"]
assert db["attributes"]["name"].endswith("_main"), db
c.servers.databases.rotate_database_password(ident, dbid)
assert any(d["attributes"]["id"] == dbid for d in c.servers.databases.list_databases(ident)["data"])
c.servers.databases.delete_database(ident, dbid)

step("pterodactyl-exporter reads its metrics once")
from pterodactyl_exporter.dto.config import Config
from pterodactyl_exporter.http_client import HTTPClient

parsed = urlparse(url)
cfg = Config(host=parsed.hostname, port=9531, api_key=key, https=False, ignore_ssl=True,
             server_list_type="owner", host_port=parsed.port)
metrics = HTTPClient(cfg).get_metrics()
assert ident in metrics.id, metrics.id
print("py-dactyl client API and exporter: all steps passed", flush=True)
