//! Nodes: creating them with their daemon token, and registering the local node of `aerie up`.

use aerie_db::models::{NewNode, Node};
use aerie_db::Db;
use aerie_http::Error;

use super::{db_err, random_alnum};

/// Registers (or re-points) the single-machine node used by `aerie up`: location `local`,
/// node 1 on 127.0.0.1 at `daemon_port`. Returns the node, whose token wings uses.
pub async fn ensure_local_node(db: &Db, daemon_port: u16, volumes_dir: &str) -> Result<Node, Error> {
    let nodes = db.nodes().list().await.map_err(db_err)?;
    if let Some(node) = nodes.into_iter().find(|n| n.fqdn == "127.0.0.1" || n.id == 1) {
        db.nodes().set_address(node.id, "127.0.0.1", "http", i64::from(daemon_port)).await.map_err(db_err)?;
        return db.nodes().find(node.id).await.map_err(db_err)?.ok_or_else(|| Error::internal("local node vanished"));
    }
    let location = match db.locations().find_by_short("local").await.map_err(db_err)? {
        Some(l) => l,
        None => db.locations().create("local", Some("This machine")).await.map_err(db_err)?,
    };
    db.nodes()
        .create(&NewNode {
            name: "local".into(),
            description: Some("The node on the panel's own machine (aerie up).".into()),
            location_id: location.id,
            fqdn: "127.0.0.1".into(),
            scheme: "http".into(),
            behind_proxy: false,
            public: true,
            memory: 0,
            memory_overallocate: 0,
            disk: 0,
            disk_overallocate: 0,
            upload_size: 100,
            daemon_listen: i64::from(daemon_port),
            daemon_sftp: 2022,
            daemon_base: volumes_dir.to_owned(),
            daemon_token_id: random_alnum(16),
            daemon_token: random_alnum(64),
        })
        .await
        .map_err(db_err)
}
