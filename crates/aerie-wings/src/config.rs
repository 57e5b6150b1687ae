//! Wings' configuration file, in Pterodactyl Wings' `config.yml` shape, so a node
//! configured by a Pterodactyl panel (or by `wings configure`) works unchanged.
//! Only the keys this version uses are read; unknown keys are accepted and ignored.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// The parts of `config.yml` wings reads.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WingsFile {
    /// The node's UUID.
    #[serde(default)]
    pub uuid: String,
    /// The token id (the panel authenticates wings' remote calls with `token_id.token`).
    pub token_id: String,
    /// The node token.
    pub token: String,
    /// HTTP API settings.
    #[serde(default)]
    pub api: ApiSection,
    /// Paths.
    #[serde(default)]
    pub system: SystemSection,
    /// The panel URL.
    #[serde(default)]
    pub remote: String,
}

/// `api:` section.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ApiSection {
    /// Listen host.
    #[serde(default = "default_host")]
    pub host: String,
    /// Listen port.
    #[serde(default = "default_port")]
    pub port: u16,
}

impl Default for ApiSection {
    fn default() -> Self {
        Self { host: default_host(), port: default_port() }
    }
}

fn default_host() -> String {
    "0.0.0.0".into()
}
fn default_port() -> u16 {
    8080
}

/// `system:` section.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SystemSection {
    /// Where server volumes live.
    #[serde(default)]
    pub data: String,
}

/// Reading the file failed.
#[derive(Debug, thiserror::Error)]
pub enum ConfigFileError {
    /// Not readable.
    #[error("cannot read wings config {path}: {message}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
    /// Not valid.
    #[error("invalid wings config {path}: {message}")]
    Parse {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
}

impl WingsFile {
    /// Reads and parses `path`.
    pub fn load(path: &Path) -> Result<Self, ConfigFileError> {
        let p = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigFileError::Read { path: p.clone(), message: e.to_string() })?;
        let file: WingsFile =
            serde_yaml::from_str(&text).map_err(|e| ConfigFileError::Parse { path: p.clone(), message: e.to_string() })?;
        if file.token.is_empty() {
            return Err(ConfigFileError::Parse { path: p, message: "`token` is empty".into() });
        }
        Ok(file)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_a_pterodactyl_config() {
        let yml = "debug: false\nuuid: 1b2c\ntoken_id: abcdefghijklmnop\ntoken: secret\napi:\n  host: 0.0.0.0\n  port: 8443\n  ssl:\n    enabled: false\nsystem:\n  data: /var/lib/pterodactyl/volumes\n  sftp:\n    bind_port: 2022\nremote: 'https://panel.example'\n";
        let dir = std::env::temp_dir().join(format!("aerie-wings-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("config.yml");
        std::fs::write(&f, yml).unwrap();
        let c = super::WingsFile::load(&f).unwrap();
        assert_eq!(c.api.port, 8443);
        assert_eq!(c.token_id, "abcdefghijklmnop");
        assert_eq!(c.system.data, "/var/lib/pterodactyl/volumes");
        std::fs::write(&f, "token_id: x\n").unwrap();
        assert!(super::WingsFile::load(&f).unwrap_err().to_string().contains("missing field `token`"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
