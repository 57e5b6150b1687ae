//! Nodes: creating them with their daemon token, and registering the local node of `aerie up`.

use aerie_db::Db;
use aerie_db::models::{NewNode, Node};
use aerie_http::Error;

use super::{db_err, random_alnum};

/// Registers (or re-points) the single-machine node used by `aerie up`: location `local`,
/// node 1 on 127.0.0.1 at `daemon_port`. Returns the node, whose token wings uses.
pub async fn ensure_local_node(
    db: &Db,
    daemon_port: u16,
    volumes_dir: &str,
) -> Result<Node, Error> {
    let nodes = db.nodes().list().await.map_err(db_err)?;
    if let Some(node) = nodes
        .into_iter()
        .find(|n| n.fqdn == "127.0.0.1" || n.id == 1)
    {
        db.nodes()
            .set_address(node.id, "127.0.0.1", "http", i64::from(daemon_port))
            .await
            .map_err(db_err)?;
        return db
            .nodes()
            .find(node.id)
            .await
            .map_err(db_err)?
            .ok_or_else(|| Error::internal("local node vanished"));
    }
    let location = match db
        .locations()
        .find_by_short("local")
        .await
        .map_err(db_err)?
    {
        Some(l) => l,
        None => db
            .locations()
            .create("local", Some("This machine"))
            .await
            .map_err(db_err)?,
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

/// The `config.yml` a node's wings needs, as Pterodactyl's `Node::getConfiguration` builds it
/// (`GET /api/application/nodes/{id}/configuration`, read by `wings configure`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct NodeConfiguration {
    /// Always false.
    pub debug: bool,
    /// The node's UUID.
    pub uuid: String,
    /// The daemon token id.
    pub token_id: String,
    /// The daemon token.
    pub token: String,
    /// `api:`.
    pub api: NodeConfigurationApi,
    /// `system:`.
    pub system: NodeConfigurationSystem,
    /// Host paths servers may mount (Aerie has no mounts yet, so none).
    pub allowed_mounts: Vec<String>,
    /// The panel URL wings calls back.
    pub remote: String,
}

/// `api:` of [`NodeConfiguration`].
#[derive(Debug, Clone, serde::Serialize)]
#[allow(missing_docs)]
pub struct NodeConfigurationApi {
    pub host: String,
    pub port: i64,
    pub ssl: NodeConfigurationSsl,
    pub upload_limit: i64,
}

/// `api.ssl:` of [`NodeConfiguration`].
#[derive(Debug, Clone, serde::Serialize)]
#[allow(missing_docs)]
pub struct NodeConfigurationSsl {
    pub enabled: bool,
    pub cert: String,
    pub key: String,
}

/// `system:` of [`NodeConfiguration`].
#[derive(Debug, Clone, serde::Serialize)]
#[allow(missing_docs)]
pub struct NodeConfigurationSystem {
    pub data: String,
    pub sftp: NodeConfigurationSftp,
}

/// `system.sftp:` of [`NodeConfiguration`].
#[derive(Debug, Clone, serde::Serialize)]
#[allow(missing_docs)]
pub struct NodeConfigurationSftp {
    pub bind_port: i64,
}

/// Builds node `id`'s wings configuration; `panel_url` becomes `remote`. The node's tokens
/// are in it, so only callers allowed to read nodes get here. Wings serves TLS itself only
/// when the node is `https` and not behind a proxy (the proxy terminates TLS otherwise), with
/// certificates where certbot puts them for the node's FQDN.
pub async fn configuration(db: &Db, id: &str, panel_url: &str) -> Result<NodeConfiguration, Error> {
    let not_found =
        || Error::NotFound("The requested resource could not be found on the server.".into());
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let node = db
        .nodes()
        .find(id)
        .await
        .map_err(db_err)?
        .ok_or_else(not_found)?;
    let live = format!("/etc/letsencrypt/live/{}", node.fqdn);
    Ok(NodeConfiguration {
        debug: false,
        uuid: node.uuid,
        token_id: node.daemon_token_id,
        token: node.daemon_token,
        api: NodeConfigurationApi {
            host: "0.0.0.0".into(),
            port: node.daemon_listen,
            ssl: NodeConfigurationSsl {
                enabled: node.scheme == "https" && !node.behind_proxy,
                cert: format!("{live}/fullchain.pem"),
                key: format!("{live}/privkey.pem"),
            },
            upload_limit: node.upload_size,
        },
        system: NodeConfigurationSystem {
            data: node.daemon_base,
            sftp: NodeConfigurationSftp {
                bind_port: node.daemon_sftp,
            },
        },
        allowed_mounts: Vec::new(),
        remote: panel_url.trim_end_matches('/').to_owned(),
    })
}
