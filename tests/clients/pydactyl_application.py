"""Drives Aerie's Application API with the unmodified py-dactyl client (PyPI), the way a
billing module does. Usage: python pydactyl_application.py <panel url> <ptla key> <free port>.
Exits non-zero (with the failing step) when anything differs from what py-dactyl expects."""
import sys
import time

from pydactyl import PterodactylClient

url, key, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
api = PterodactylClient(url, key)


def step(name):
    print(f"step: {name}", flush=True)


step("users: create, read by id and external id, filter, edit")
created = api.user.create_user(
    username="billing1", email="billing1@example.com", first_name="Bill",
    last_name="Ing", external_id="whmcs-41", password="a-long-password")
uid = created["attributes"]["id"]
assert created["attributes"]["external_id"] == "whmcs-41", created
by_ext = api.user.get_user_info(external_id="whmcs-41")
assert by_ext["attributes"]["id"] == uid, by_ext
for k in ("uuid", "username", "email", "first_name", "last_name", "language",
          "root_admin", "2fa", "created_at", "updated_at"):
    assert k in by_ext["attributes"], (k, by_ext)
found = api.user.list_users(email="billing1@example.com").collect()
assert [u["attributes"]["id"] for u in found] == [uid], found
edited = api.user.edit_user(uid, "billing1", "billing1@example.org", "Bill", "Ing",
                          external_id="whmcs-41")
assert edited["attributes"]["email"] == "billing1@example.org", edited
# Pagination ends (a "next": null would make this loop forever).
pages = api.user.list_users(params={"per_page": 1})
assert len(pages) >= 2, pages.meta  # meta.pagination.total
assert pages.meta["pagination"]["links"].get("next"), pages.meta
pages.collect()  # py-dactyl asks page 2 without per_page; it must end, not loop

step("validation errors are 422 with Pterodactyl's error objects")
try:
    api.user.create_user(username="x y", email="not-an-email", first_name="a", last_name="b")
    raise AssertionError("invalid user accepted")
except Exception as e:  # PterodactylApiError carries the errors array
    assert "422" in str(e) or "email" in str(e), repr(e)

step("locations with py-dactyl's shortcode/description fields")
loc = api.locations.create_location(shortcode="eu-west", description="Europe West")
lid = loc["attributes"]["id"]
assert loc["attributes"]["short"] == "eu-west", loc
api.locations.edit_location(lid, description="Europe (west)")
assert api.locations.get_location_info(lid)["attributes"]["long"] == "Europe (west)"

step("nodes, configuration and allocations")
nodes = api.nodes.list_nodes().collect()
assert nodes, "no nodes"
node_id = nodes[0]["attributes"]["id"]
config = api.nodes.get_node_config(node_id)
for k in ("uuid", "token_id", "token", "api", "system", "remote"):
    assert k in config, (k, config)
api.nodes.create_allocations(node_id, "127.0.0.1", [str(port)])
allocs = [a["attributes"] for a in api.nodes.list_node_allocations(node_id).collect()]
alloc = next(a for a in allocs if a["port"] == port)
assert alloc["assigned"] is False, alloc

step("nests and eggs with variables")
nests = api.nests.list_nests().collect()
egg = None
for n in nests:
    for e in api.nests.get_eggs_in_nest(n["attributes"]["id"])["data"]:
        if "Mumble" in e["attributes"]["name"]:
            egg = e["attributes"]
assert egg, "Mumble egg missing"
info = api.nests.get_egg_info(egg["nest"], egg["id"], includes=["variables"])
assert info["attributes"]["relationships"]["variables"]["object"] == "list", info

step("servers: create with an explicit allocation, read, details, build, startup")
resp = api.servers.create_server(
    name="py-dactyl server", user_id=uid, nest_id=egg["nest"], egg_id=egg["id"],
    memory_limit=512, swap_limit=0, disk_limit=1024, default_allocation=alloc["id"],
    external_id="whmcs-srv-41", start_on_completion=False)
assert resp.status_code == 201, (resp.status_code, resp.text)
sid = resp.json()["attributes"]["id"]
srv = api.servers.get_server_info(server_id=sid)
assert srv["identifier"] and len(srv["identifier"]) == 8, srv
assert srv["container"]["installed"] in (0, 1), srv
assert api.servers.get_server_info(external_id="whmcs-srv-41")["id"] == sid
assert any(s["attributes"]["id"] == sid for s in api.servers.list_servers().collect())

deadline = time.time() + 240
while api.servers.get_server_info(server_id=sid)["status"] == "installing":
    assert time.time() < deadline, "install did not finish"
    time.sleep(0.5)
assert api.servers.get_server_info(server_id=sid)["status"] is None

r = api.servers.update_server_details(sid, name="renamed by billing", user_id=uid,
                                      external_id="whmcs-srv-41", description="gold plan")
assert r.status_code == 200, (r.status_code, r.text)
assert api.servers.get_server_info(server_id=sid)["name"] == "renamed by billing"
r = api.servers.update_server_build(sid, alloc["id"], memory_limit=768, swap_limit=0,
                                    disk_limit=2048, cpu_limit=0, io_limit=500,
                                    database_limit=0, allocation_limit=0, backup_limit=2)
assert r.status_code == 200, (r.status_code, r.text)
assert api.servers.get_server_info(server_id=sid)["limits"]["memory"] == 768
r = api.servers.update_server_startup(sid, environment={})
assert r.status_code == 200, (r.status_code, r.text)

step("suspend, unsuspend, delete")
api.servers.suspend_server(sid)
assert api.servers.get_server_info(server_id=sid)["suspended"] is True
api.servers.unsuspend_server(sid)
assert api.servers.get_server_info(server_id=sid)["suspended"] is False
api.servers.delete_server(sid)
try:
    api.servers.get_server_info(server_id=sid)
    raise AssertionError("deleted server still readable")
except Exception as e:
    assert "404" in str(e), repr(e)

step("user with no servers can be deleted, by external id")
api.user.delete_user(external_id="whmcs-41")
print("py-dactyl application API: all steps passed", flush=True)
