//! The SFTP server's host key: an Ed25519 key generated on first start and kept, mode 0600,
//! in a file under wings' root directory, so clients see the same key after every restart.
//!
//! An existing key is read in any format russh understands (OpenSSH, PKCS#8, …); one that
//! cannot be read is an error, never silently replaced, because a new host key makes every
//! client warn about a possible man in the middle.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

use russh::keys::ssh_key::LineEnding;
use russh::keys::ssh_key::private::Ed25519Keypair;
use russh::keys::{HashAlg, PrivateKey};

/// Why the host key could not be loaded or created.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HostKeyError {
    /// Reading, writing or creating the directory failed.
    #[error("cannot {action} the SFTP host key {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The key file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// The file exists but is not a private key russh can use.
    #[error("the SFTP host key {path} is not a usable private key: {message}")]
    Invalid {
        /// The key file.
        path: String,
        /// Why.
        message: String,
    },
}

/// Loads the key at `path`, or generates an Ed25519 key and stores it there (mode 0600, its
/// directory created 0700 when missing). A key file readable by others is made 0600.
pub fn load_or_generate(path: &Path) -> Result<PrivateKey, HostKeyError> {
    let shown = path.display().to_string();
    let io = |action: &'static str| {
        let p = shown.clone();
        move |source| HostKeyError::Io {
            action,
            path: p,
            source,
        }
    };
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let key =
                russh::keys::decode_secret_key(&text, None).map_err(|e| HostKeyError::Invalid {
                    path: shown.clone(),
                    message: e.to_string(),
                })?;
            let mode = std::fs::metadata(path)
                .map_err(io("inspect"))?
                .permissions()
                .mode();
            if mode & 0o077 != 0 {
                tracing::warn!(path = %shown, mode = format!("{:o}", mode & 0o777), "the SFTP host key was readable by others; making it 0600");
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
                    .map_err(io("protect"))?;
            }
            Ok(key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = PrivateKey::from(Ed25519Keypair::from_seed(&rand::random::<[u8; 32]>()));
            let text = key
                .to_openssh(LineEnding::LF)
                .map_err(|e| HostKeyError::Invalid {
                    path: shown.clone(),
                    message: e.to_string(),
                })?;
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o700)
                    .create(dir)
                    .map_err(io("create the directory of"))?;
            }
            // Written to a temporary name and renamed, so a crash never leaves half a key.
            let tmp = path.with_extension("tmp");
            let _ = std::fs::remove_file(&tmp);
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&tmp)
                .map_err(io("write"))?;
            f.write_all(text.as_bytes())
                .and_then(|()| f.sync_all())
                .map_err(io("write"))?;
            std::fs::rename(&tmp, path).map_err(io("store"))?;
            tracing::info!(path = %shown, fingerprint = %key.fingerprint(HashAlg::Sha256), "generated a new SFTP host key");
            Ok(key)
        }
        Err(e) => Err(io("read")(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_once_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sftp").join("id_ed25519");
        let first = load_or_generate(&path).unwrap();
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            std::fs::metadata(path.parent().unwrap())
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o700
        );
        let again = load_or_generate(&path).unwrap();
        assert_eq!(
            first.fingerprint(HashAlg::Sha256),
            again.fingerprint(HashAlg::Sha256)
        );
        assert_eq!(first.algorithm(), russh::keys::Algorithm::Ed25519);

        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        load_or_generate(&path).unwrap();
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    #[test]
    fn a_broken_key_is_an_error_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("id_ed25519");
        std::fs::write(&path, "not a key").unwrap();
        assert!(matches!(
            load_or_generate(&path),
            Err(HostKeyError::Invalid { .. })
        ));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "not a key");
    }
}
