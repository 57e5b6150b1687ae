//! The container runtime seam. The server state machine talks to a [`ContainerRuntime`],
//! never to Docker directly, so its rules are unit-tested with an in-memory runtime and
//! the real engine is exercised by the integration tests through [`docker::DockerRuntime`].

pub mod docker;
pub mod lines;

use std::collections::BTreeMap;
use std::pin::Pin;

use futures_util::Stream;
use tokio::io::AsyncWrite;

/// Boxed future, for the object-safe trait.
pub type BoxFut<'a, T> = Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// A runtime failure, with a message fit for the console.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RuntimeError {
    /// The image is not on the node and could not be pulled.
    #[error("the image {image} is not available on this node and could not be pulled: {message}")]
    Image {
        /// Image reference.
        image: String,
        /// Why.
        message: String,
    },
    /// The container does not exist.
    #[error("the server's container does not exist")]
    NoContainer,
    /// Anything else from the engine.
    #[error("{0}")]
    Engine(String),
}

/// Everything needed to create a server's container.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContainerSpec {
    /// Container name and hostname (the server UUID).
    pub name: String,
    /// Image.
    pub image: String,
    /// `KEY=value` environment.
    pub env: Vec<String>,
    /// `uid:gid` to run as.
    pub user: String,
    /// Host directory mounted at `/home/container`.
    pub volume: String,
    /// Extra binds (`src:dst[:ro]`).
    pub extra_binds: Vec<String>,
    /// `(host ip, port)` pairs, each published on TCP and UDP at the same port.
    pub ports: Vec<(String, u16)>,
    /// Memory limit in bytes (0 = none).
    pub memory: i64,
    /// Memory reservation in bytes.
    pub memory_reservation: i64,
    /// Memory + swap in bytes (-1 = unlimited swap).
    pub memory_swap: i64,
    /// CPU quota in µs per 100 ms period (0 = none).
    pub cpu_quota: i64,
    /// Cpuset.
    pub cpuset: Option<String>,
    /// Block IO weight.
    pub io_weight: u16,
    /// Disable the OOM killer.
    pub oom_disabled: bool,
    /// Maximum processes.
    pub pids_limit: i64,
    /// `/tmp` tmpfs size in MB.
    pub tmpfs_mb: i64,
    /// Docker network.
    pub network: String,
    /// DNS servers.
    pub dns: Vec<String>,
    /// Read-only root filesystem.
    pub readonly_root: bool,
    /// Labels.
    pub labels: BTreeMap<String, String>,
}

/// An installer run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InstallerSpec {
    /// `<uuid>_installer`.
    pub name: String,
    /// Installer image.
    pub image: String,
    /// Entrypoint (`bash`, `ash`).
    pub entrypoint: String,
    /// Host directory mounted at `/mnt/server`.
    pub volume: String,
    /// Host directory holding `install.sh`, mounted at `/mnt/install`.
    pub script_dir: String,
    /// Environment.
    pub env: Vec<String>,
    /// Memory limit in bytes.
    pub memory: i64,
    /// CPU quota.
    pub cpu_quota: i64,
    /// Network.
    pub network: String,
    /// DNS servers.
    pub dns: Vec<String>,
}

/// What `inspect` tells about a container.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContainerStatus {
    /// Running now.
    pub running: bool,
    /// Exit code of the last run.
    pub exit_code: i64,
    /// Killed by the OOM killer.
    pub oom_killed: bool,
    /// RFC 3339 start time of the current/last run.
    pub started_at: String,
}

/// Raw resource sample.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sample {
    /// Memory in use minus inactive file cache.
    pub memory_bytes: u64,
    /// Memory limit.
    pub memory_limit_bytes: u64,
    /// CPU percent of one core.
    pub cpu_absolute: f64,
    /// Bytes received.
    pub rx_bytes: u64,
    /// Bytes sent.
    pub tx_bytes: u64,
}

/// A live attachment: the process output, and a writer to its stdin.
pub struct Attached {
    /// Raw output bytes (TTY mode: stdout and stderr are one stream).
    pub output: Pin<Box<dyn Stream<Item = Vec<u8>> + Send>>,
    /// The process stdin.
    pub input: Pin<Box<dyn AsyncWrite + Send>>,
}

/// The operations the server state machine needs from a container engine.
pub trait ContainerRuntime: Send + Sync + 'static {
    /// Makes sure the image is present: local first, pull otherwise.
    fn ensure_image<'a>(&'a self, image: &'a str) -> BoxFut<'a, Result<(), RuntimeError>>;
    /// Creates the container, replacing any existing one of that name.
    fn create<'a>(&'a self, spec: &'a ContainerSpec) -> BoxFut<'a, Result<(), RuntimeError>>;
    /// Removes a container (force); absent is fine.
    fn remove<'a>(&'a self, name: &'a str) -> BoxFut<'a, Result<(), RuntimeError>>;
    /// Attaches to stdin/stdout/stderr.
    fn attach<'a>(&'a self, name: &'a str) -> BoxFut<'a, Result<Attached, RuntimeError>>;
    /// Starts it.
    fn start<'a>(&'a self, name: &'a str) -> BoxFut<'a, Result<(), RuntimeError>>;
    /// Sends a signal (`SIGINT`, `SIGTERM`, `SIGKILL`, …).
    fn signal<'a>(&'a self, name: &'a str, signal: &'a str)
    -> BoxFut<'a, Result<(), RuntimeError>>;
    /// Inspects it; `None` when it does not exist.
    fn inspect<'a>(
        &'a self,
        name: &'a str,
    ) -> BoxFut<'a, Result<Option<ContainerStatus>, RuntimeError>>;
    /// Resolves when the container is not running (at once if it is not).
    fn wait<'a>(&'a self, name: &'a str) -> BoxFut<'a, Result<(), RuntimeError>>;
    /// A stream of resource samples, about one a second, while the container runs.
    fn stats(&self, name: &str) -> Pin<Box<dyn Stream<Item = Sample> + Send>>;
    /// The last `lines` lines the container printed.
    fn logs_tail<'a>(
        &'a self,
        name: &'a str,
        lines: usize,
    ) -> BoxFut<'a, Result<Vec<String>, RuntimeError>>;
    /// Runs an installer to completion, sending each output line to `lines`; returns the
    /// exit code. The container is removed afterwards, whatever happened.
    fn run_installer<'a>(
        &'a self,
        spec: &'a InstallerSpec,
        lines: tokio::sync::mpsc::Sender<String>,
    ) -> BoxFut<'a, Result<i64, RuntimeError>>;
}
