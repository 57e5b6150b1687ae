//! The Docker engine, through bollard. This module owns every call wings makes to Docker.

use std::collections::HashMap;

use bollard::Docker;
use bollard::models::{ContainerCreateBody, HostConfig};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, LogsOptionsBuilder, RemoveContainerOptionsBuilder,
    StartContainerOptions, WaitContainerOptions,
};
use futures_util::StreamExt;

/// What can go wrong talking to Docker.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DockerError {
    /// No engine answered on the socket.
    #[error("cannot reach the Docker engine at {socket}: {message}")]
    Unreachable {
        /// The socket tried.
        socket: String,
        /// Why.
        message: String,
    },
    /// The image is not on this node.
    #[error("the image {image} is not available on this node")]
    MissingImage {
        /// The image reference.
        image: String,
    },
    /// Any other engine error.
    #[error("docker: {0}")]
    Engine(String),
}

impl From<bollard::errors::Error> for DockerError {
    fn from(e: bollard::errors::Error) -> Self {
        DockerError::Engine(e.to_string())
    }
}

/// A handle on the Docker engine. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Engine {
    docker: Docker,
    socket: String,
}

/// Resource limits for a container, in Pterodactyl's units.
#[derive(Debug, Clone, Copy, Default)]
pub struct Limits {
    /// Memory in MiB; 0 = unlimited.
    pub memory_mb: i64,
    /// CPU in percent of one core (100 = one core); 0 = unlimited.
    pub cpu_percent: i64,
    /// Maximum processes; 0 = unlimited.
    pub pids: i64,
}

/// A one-shot container to run to completion.
#[derive(Debug, Clone)]
pub struct OneShot {
    /// Container name.
    pub name: String,
    /// Image reference.
    pub image: String,
    /// Command.
    pub cmd: Vec<String>,
    /// Environment, `KEY=value`.
    pub env: Vec<String>,
    /// Limits.
    pub limits: Limits,
}

/// The result of a [`OneShot`].
#[derive(Debug, Clone)]
pub struct Finished {
    /// Exit code.
    pub exit_code: i64,
    /// Standard output and error, interleaved as Docker logged them.
    pub output: String,
}

impl Engine {
    /// Connects to `socket` (a `unix://` path), or to `DOCKER_HOST`/the default socket.
    pub fn connect(socket: Option<&str>) -> Result<Self, DockerError> {
        let (docker, name) = match socket {
            Some(s) => (
                Docker::connect_with_unix(s, 120, bollard::API_DEFAULT_VERSION),
                s.to_owned(),
            ),
            None => (
                Docker::connect_with_local_defaults(),
                std::env::var("DOCKER_HOST")
                    .unwrap_or_else(|_| "unix:///var/run/docker.sock".into()),
            ),
        };
        let docker = docker.map_err(|e| DockerError::Unreachable {
            socket: name.clone(),
            message: e.to_string(),
        })?;
        Ok(Self {
            docker,
            socket: name,
        })
    }

    /// The raw bollard client, for the runtime modules.
    pub fn client(&self) -> &Docker {
        &self.docker
    }

    /// Pings the engine and returns its version string.
    pub async fn version(&self) -> Result<String, DockerError> {
        let unreachable = |e: bollard::errors::Error| DockerError::Unreachable {
            socket: self.socket.clone(),
            message: e.to_string(),
        };
        self.docker.ping().await.map_err(unreachable)?;
        let v = self.docker.version().await.map_err(unreachable)?;
        Ok(format!(
            "Docker {} (API {})",
            v.version.unwrap_or_default(),
            v.api_version.unwrap_or_default()
        ))
    }

    /// Whether `image` is present locally.
    pub async fn has_image(&self, image: &str) -> Result<bool, DockerError> {
        match self.docker.inspect_image(image).await {
            Ok(_) => Ok(true),
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 404, ..
            }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Creates, starts and waits for a container, collects its output, and removes it,
    /// also when something fails half-way.
    pub async fn run_to_completion(&self, spec: &OneShot) -> Result<Finished, DockerError> {
        if !self.has_image(&spec.image).await? {
            return Err(DockerError::MissingImage {
                image: spec.image.clone(),
            });
        }
        let host = HostConfig {
            memory: (spec.limits.memory_mb > 0).then_some(spec.limits.memory_mb * 1024 * 1024),
            memory_swap: (spec.limits.memory_mb > 0).then_some(spec.limits.memory_mb * 1024 * 1024),
            cpu_period: (spec.limits.cpu_percent > 0).then_some(100_000),
            cpu_quota: (spec.limits.cpu_percent > 0).then_some(spec.limits.cpu_percent * 1_000),
            pids_limit: (spec.limits.pids > 0).then_some(spec.limits.pids),
            network_mode: Some("none".into()),
            ..Default::default()
        };
        let body = ContainerCreateBody {
            image: Some(spec.image.clone()),
            cmd: Some(spec.cmd.clone()),
            env: Some(spec.env.clone()),
            host_config: Some(host),
            labels: Some(HashMap::from([(
                "io.aerie.managed".to_owned(),
                "true".to_owned(),
            )])),
            ..Default::default()
        };
        let opts = CreateContainerOptionsBuilder::default()
            .name(&spec.name)
            .build();
        self.docker.create_container(Some(opts), body).await?;
        let result = self.start_wait_collect(&spec.name).await;
        let rm = RemoveContainerOptionsBuilder::default()
            .force(true)
            .v(true)
            .build();
        let removed = self.docker.remove_container(&spec.name, Some(rm)).await;
        let finished = result?;
        removed?;
        Ok(finished)
    }

    async fn start_wait_collect(&self, name: &str) -> Result<Finished, DockerError> {
        self.docker
            .start_container(name, None::<StartContainerOptions>)
            .await?;
        let mut wait = self
            .docker
            .wait_container(name, None::<WaitContainerOptions>);
        let exit_code = match wait.next().await {
            Some(Ok(r)) => r.status_code,
            Some(Err(bollard::errors::Error::DockerContainerWaitError { code, .. })) => code,
            Some(Err(e)) => return Err(e.into()),
            None => return Err(DockerError::Engine("wait stream ended early".into())),
        };
        let opts = LogsOptionsBuilder::default()
            .stdout(true)
            .stderr(true)
            .build();
        let mut logs = self.docker.logs(name, Some(opts));
        let mut output = String::new();
        while let Some(chunk) = logs.next().await {
            output.push_str(&String::from_utf8_lossy(&chunk?.into_bytes()));
        }
        Ok(Finished { exit_code, output })
    }
}
