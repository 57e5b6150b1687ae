//! [`ContainerRuntime`] on the real Docker engine, through bollard.

use std::collections::HashMap;
use std::pin::Pin;

use bollard::models::{
    ContainerCreateBody, EndpointSettings, HostConfig, HostConfigLogConfig, NetworkCreateRequest,
    NetworkingConfig, PortBinding,
};
use bollard::query_parameters::{
    AttachContainerOptionsBuilder, CreateContainerOptionsBuilder, CreateImageOptionsBuilder,
    KillContainerOptionsBuilder, LogsOptionsBuilder, RemoveContainerOptionsBuilder,
    StartContainerOptions, StatsOptionsBuilder, WaitContainerOptions,
};
use futures_util::{Stream, StreamExt};

use super::lines::LineSplitter;
use super::{
    Attached, BoxFut, ContainerRuntime, ContainerSpec, ContainerStatus, InstallerSpec,
    RuntimeError, Sample,
};
use crate::docker::Engine;

/// Capabilities dropped from every server container, as Wings does.
const CAP_DROP: &[&str] = &[
    "setpcap",
    "mknod",
    "audit_write",
    "net_raw",
    "dac_override",
    "fowner",
    "fsetid",
    "net_bind_service",
    "sys_chroot",
    "setfcap",
];

/// The Docker-backed runtime.
#[derive(Clone, Debug)]
pub struct DockerRuntime {
    engine: Engine,
}

fn engine_err(e: bollard::errors::Error) -> RuntimeError {
    RuntimeError::Engine(e.to_string())
}

fn is_404(e: &bollard::errors::Error) -> bool {
    matches!(
        e,
        bollard::errors::Error::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}

impl DockerRuntime {
    /// Wraps an engine.
    pub fn new(engine: Engine) -> Self {
        Self { engine }
    }

    /// Creates the bridge network servers join, when missing, and returns its id. A
    /// configured subnet that overlaps an existing network is retried without one (Docker
    /// then picks a free range). Docker allows duplicate names, so when two processes race
    /// to create it, every caller settles on the oldest one and removes younger duplicates:
    /// use the returned id, not the name, for containers.
    pub async fn ensure_network(
        &self,
        name: &str,
        subnet: Option<&str>,
    ) -> Result<String, RuntimeError> {
        let docker = self.engine.client();
        let list = |docker: bollard::Docker, name: String| async move {
            let filters = HashMap::from([("name".to_owned(), vec![name.clone()])]);
            let opts = bollard::query_parameters::ListNetworksOptionsBuilder::default()
                .filters(&filters)
                .build();
            let mut found: Vec<(String, String)> = docker
                .list_networks(Some(opts))
                .await
                .map_err(engine_err)?
                .into_iter()
                .filter(|n| n.name.as_deref() == Some(name.as_str()))
                .filter_map(|n| Some((n.created.map(|c| c.to_string()).unwrap_or_default(), n.id?)))
                .collect();
            // Oldest first: the first network created stays first whoever lists later.
            found.sort();
            Ok::<_, RuntimeError>(found.into_iter().map(|(_, id)| id).collect::<Vec<_>>())
        };
        let mut ids = list(docker.clone(), name.to_owned()).await?;
        if ids.is_empty() {
            let mut req = NetworkCreateRequest {
                name: name.to_owned(),
                driver: Some("bridge".into()),
                labels: Some(HashMap::from([(
                    "io.aerie.managed".to_owned(),
                    "true".to_owned(),
                )])),
                ..Default::default()
            };
            if let Some(s) = subnet.filter(|s| !s.is_empty()) {
                req.ipam = Some(bollard::models::Ipam {
                    config: Some(vec![bollard::models::IpamConfig {
                        subnet: Some(s.to_owned()),
                        ..Default::default()
                    }]),
                    ..Default::default()
                });
            }
            if let Err(e) = docker.create_network(req.clone()).await {
                if req.ipam.is_none() {
                    return Err(engine_err(e));
                }
                tracing::warn!(error.message = %e, network = name, "network subnet unavailable, letting Docker choose");
                req.ipam = None;
                docker.create_network(req).await.map_err(engine_err)?;
            }
            ids = list(docker.clone(), name.to_owned()).await?;
        }
        let Some(keep) = ids.first().cloned() else {
            return Err(RuntimeError::Engine(format!(
                "network {name} vanished after creation"
            )));
        };
        for extra in ids.iter().skip(1) {
            // In use by another racer's container: it stays, harmlessly.
            let _ = docker.remove_network(extra).await;
        }
        Ok(keep)
    }

    async fn remove_if_exists(&self, name: &str) -> Result<(), RuntimeError> {
        let opts = RemoveContainerOptionsBuilder::default()
            .force(true)
            .v(true)
            .build();
        match self
            .engine
            .client()
            .remove_container(name, Some(opts))
            .await
        {
            Ok(()) => Ok(()),
            Err(e) if is_404(&e) => Ok(()),
            Err(e) => Err(engine_err(e)),
        }
    }

    async fn attach_stream(
        &self,
        name: &str,
        stdin: bool,
    ) -> Result<bollard::container::AttachContainerResults, RuntimeError> {
        let opts = AttachContainerOptionsBuilder::default()
            .stdin(stdin)
            .stdout(true)
            .stderr(true)
            .stream(true)
            .build();
        self.engine
            .client()
            .attach_container(name, Some(opts))
            .await
            .map_err(|e| {
                if is_404(&e) {
                    RuntimeError::NoContainer
                } else {
                    engine_err(e)
                }
            })
    }
}

fn strip_tilde(image: &str) -> &str {
    image.strip_prefix('~').unwrap_or(image)
}

impl ContainerRuntime for DockerRuntime {
    fn ensure_image<'a>(&'a self, image: &'a str) -> BoxFut<'a, Result<(), RuntimeError>> {
        Box::pin(async move {
            let image = strip_tilde(image);
            if self
                .engine
                .has_image(image)
                .await
                .map_err(|e| RuntimeError::Engine(e.to_string()))?
            {
                return Ok(());
            }
            let opts = CreateImageOptionsBuilder::default()
                .from_image(image)
                .build();
            let mut pull = self.engine.client().create_image(Some(opts), None, None);
            while let Some(step) = pull.next().await {
                if let Err(e) = step {
                    return Err(RuntimeError::Image {
                        image: image.to_owned(),
                        message: e.to_string(),
                    });
                }
            }
            Ok(())
        })
    }

    fn create<'a>(&'a self, spec: &'a ContainerSpec) -> BoxFut<'a, Result<(), RuntimeError>> {
        Box::pin(async move {
            self.remove_if_exists(&spec.name).await?;
            let mut bindings: HashMap<String, Option<Vec<PortBinding>>> = HashMap::new();
            let mut exposed = Vec::new();
            for (ip, port) in &spec.ports {
                for proto in ["tcp", "udp"] {
                    let key = format!("{port}/{proto}");
                    bindings
                        .entry(key.clone())
                        .or_insert_with(|| Some(Vec::new()))
                        .get_or_insert_with(Vec::new)
                        .push(PortBinding {
                            host_ip: Some(ip.clone()),
                            host_port: Some(port.to_string()),
                        });
                    if !exposed.contains(&key) {
                        exposed.push(key);
                    }
                }
            }
            let mut binds = vec![format!("{}:/home/container", spec.volume)];
            binds.extend(spec.extra_binds.iter().cloned());
            let host = HostConfig {
                binds: Some(binds),
                port_bindings: Some(bindings),
                memory: (spec.memory > 0).then_some(spec.memory),
                memory_reservation: (spec.memory_reservation > 0)
                    .then_some(spec.memory_reservation),
                memory_swap: (spec.memory > 0).then_some(spec.memory_swap),
                cpu_quota: (spec.cpu_quota > 0).then_some(spec.cpu_quota),
                cpu_period: (spec.cpu_quota > 0).then_some(100_000),
                cpu_shares: Some(1024),
                cpuset_cpus: spec.cpuset.clone().filter(|c| !c.is_empty()),
                blkio_weight: (spec.io_weight > 0).then_some(spec.io_weight),
                oom_kill_disable: Some(spec.oom_disabled),
                pids_limit: (spec.pids_limit > 0).then_some(spec.pids_limit),
                tmpfs: Some(HashMap::from([(
                    "/tmp".to_owned(),
                    format!("rw,exec,nosuid,size={}M", spec.tmpfs_mb.max(1)),
                )])),
                readonly_rootfs: Some(spec.readonly_root),
                security_opt: Some(vec!["no-new-privileges".into()]),
                cap_drop: Some(CAP_DROP.iter().map(|s| (*s).to_owned()).collect()),
                dns: (!spec.dns.is_empty()).then(|| spec.dns.clone()),
                network_mode: Some(spec.network.clone()),
                log_config: Some(HostConfigLogConfig {
                    typ: Some("local".into()),
                    config: Some(HashMap::from([
                        ("max-size".to_owned(), "5m".to_owned()),
                        ("max-file".to_owned(), "1".to_owned()),
                        ("compress".to_owned(), "false".to_owned()),
                        ("mode".to_owned(), "non-blocking".to_owned()),
                    ])),
                }),
                ..Default::default()
            };
            let body = ContainerCreateBody {
                hostname: Some(spec.name.clone()),
                image: Some(strip_tilde(&spec.image).to_owned()),
                env: Some(spec.env.clone()),
                user: (!spec.user.is_empty()).then(|| spec.user.clone()),
                tty: Some(true),
                open_stdin: Some(true),
                attach_stdin: Some(true),
                attach_stdout: Some(true),
                attach_stderr: Some(true),
                exposed_ports: Some(exposed),
                labels: Some(spec.labels.clone().into_iter().collect()),
                host_config: Some(host),
                networking_config: Some(NetworkingConfig {
                    endpoints_config: Some(HashMap::from([(
                        spec.network.clone(),
                        EndpointSettings::default(),
                    )])),
                }),
                ..Default::default()
            };
            let opts = CreateContainerOptionsBuilder::default()
                .name(&spec.name)
                .build();
            self.engine
                .client()
                .create_container(Some(opts), body)
                .await
                .map_err(engine_err)?;
            Ok(())
        })
    }

    fn remove<'a>(&'a self, name: &'a str) -> BoxFut<'a, Result<(), RuntimeError>> {
        Box::pin(self.remove_if_exists(name))
    }

    fn attach<'a>(&'a self, name: &'a str) -> BoxFut<'a, Result<Attached, RuntimeError>> {
        Box::pin(async move {
            let r = self.attach_stream(name, true).await?;
            let output = r
                .output
                .filter_map(|chunk| async move { chunk.ok().map(|c| c.into_bytes().to_vec()) });
            Ok(Attached {
                output: Box::pin(output),
                input: r.input,
            })
        })
    }

    fn start<'a>(&'a self, name: &'a str) -> BoxFut<'a, Result<(), RuntimeError>> {
        Box::pin(async move {
            self.engine
                .client()
                .start_container(name, None::<StartContainerOptions>)
                .await
                .map_err(|e| {
                    if is_404(&e) {
                        RuntimeError::NoContainer
                    } else {
                        engine_err(e)
                    }
                })
        })
    }

    fn signal<'a>(
        &'a self,
        name: &'a str,
        signal: &'a str,
    ) -> BoxFut<'a, Result<(), RuntimeError>> {
        Box::pin(async move {
            let opts = KillContainerOptionsBuilder::default()
                .signal(signal)
                .build();
            match self.engine.client().kill_container(name, Some(opts)).await {
                Ok(()) => Ok(()),
                // Not running (409) or gone (404): the goal of a signal is already met.
                Err(bollard::errors::Error::DockerResponseServerError {
                    status_code: 404 | 409,
                    ..
                }) => Ok(()),
                Err(e) => Err(engine_err(e)),
            }
        })
    }

    fn inspect<'a>(
        &'a self,
        name: &'a str,
    ) -> BoxFut<'a, Result<Option<ContainerStatus>, RuntimeError>> {
        Box::pin(async move {
            match self.engine.client().inspect_container(name, None).await {
                Ok(c) => {
                    let s = c.state.unwrap_or_default();
                    Ok(Some(ContainerStatus {
                        running: s.running.unwrap_or(false),
                        exit_code: s.exit_code.unwrap_or(0),
                        oom_killed: s.oom_killed.unwrap_or(false),
                        started_at: s.started_at.unwrap_or_default(),
                    }))
                }
                Err(e) if is_404(&e) => Ok(None),
                Err(e) => Err(engine_err(e)),
            }
        })
    }

    fn wait<'a>(&'a self, name: &'a str) -> BoxFut<'a, Result<(), RuntimeError>> {
        Box::pin(async move {
            let mut w = self
                .engine
                .client()
                .wait_container(name, None::<WaitContainerOptions>);
            match w.next().await {
                Some(Ok(_)) | None => Ok(()),
                Some(Err(bollard::errors::Error::DockerContainerWaitError { .. })) => Ok(()),
                Some(Err(e)) if is_404(&e) => Ok(()),
                Some(Err(e)) => Err(engine_err(e)),
            }
        })
    }

    fn stats(&self, name: &str) -> Pin<Box<dyn Stream<Item = Sample> + Send>> {
        let opts = StatsOptionsBuilder::default().stream(true).build();
        let s = self.engine.client().stats(name, Some(opts));
        Box::pin(s.filter_map(|r| async move { r.ok().map(|s| sample(&s)) }))
    }

    fn logs_tail<'a>(
        &'a self,
        name: &'a str,
        lines: usize,
    ) -> BoxFut<'a, Result<Vec<String>, RuntimeError>> {
        Box::pin(async move {
            let opts = LogsOptionsBuilder::default()
                .stdout(true)
                .stderr(true)
                .tail(&lines.to_string())
                .build();
            let mut s = self.engine.client().logs(name, Some(opts));
            let mut split = LineSplitter::default();
            let mut out = Vec::new();
            while let Some(chunk) = s.next().await {
                match chunk {
                    Ok(c) => out.extend(split.push(&c.into_bytes())),
                    Err(e) if is_404(&e) => return Err(RuntimeError::NoContainer),
                    Err(e) => return Err(engine_err(e)),
                }
            }
            out.extend(split.finish());
            let skip = out.len().saturating_sub(lines);
            Ok(out.split_off(skip))
        })
    }

    fn run_installer<'a>(
        &'a self,
        spec: &'a InstallerSpec,
        lines: tokio::sync::mpsc::Sender<String>,
    ) -> BoxFut<'a, Result<i64, RuntimeError>> {
        Box::pin(async move {
            self.ensure_image(&spec.image).await?;
            self.remove_if_exists(&spec.name).await?;
            let host = HostConfig {
                binds: Some(vec![
                    format!("{}:/mnt/server", spec.volume),
                    format!("{}:/mnt/install", spec.script_dir),
                ]),
                memory: (spec.memory > 0).then_some(spec.memory),
                memory_swap: (spec.memory > 0).then_some(spec.memory),
                cpu_quota: (spec.cpu_quota > 0).then_some(spec.cpu_quota),
                cpu_period: (spec.cpu_quota > 0).then_some(100_000),
                tmpfs: Some(HashMap::from([(
                    "/tmp".to_owned(),
                    "rw,exec,nosuid,size=100M".to_owned(),
                )])),
                dns: (!spec.dns.is_empty()).then(|| spec.dns.clone()),
                network_mode: Some(spec.network.clone()),
                ..Default::default()
            };
            let body = ContainerCreateBody {
                hostname: Some("installer".into()),
                image: Some(strip_tilde(&spec.image).to_owned()),
                entrypoint: Some(vec![spec.entrypoint.clone()]),
                cmd: Some(vec!["/mnt/install/install.sh".into()]),
                env: Some(spec.env.clone()),
                user: Some("0:0".into()),
                tty: Some(true),
                attach_stdout: Some(true),
                attach_stderr: Some(true),
                labels: Some(HashMap::from([
                    ("Service".to_owned(), "Aerie".to_owned()),
                    ("ContainerType".to_owned(), "server_installer".to_owned()),
                ])),
                host_config: Some(host),
                ..Default::default()
            };
            let opts = CreateContainerOptionsBuilder::default()
                .name(&spec.name)
                .build();
            self.engine
                .client()
                .create_container(Some(opts), body)
                .await
                .map_err(engine_err)?;
            let result = async {
                let attached = self.attach_stream(&spec.name, false).await?;
                self.engine
                    .client()
                    .start_container(&spec.name, None::<StartContainerOptions>)
                    .await
                    .map_err(engine_err)?;
                let mut output = attached.output;
                let mut split = LineSplitter::default();
                while let Some(chunk) = output.next().await {
                    let Ok(chunk) = chunk else { break };
                    for l in split.push(&chunk.into_bytes()) {
                        let _ = lines.send(l).await;
                    }
                }
                if let Some(l) = split.finish() {
                    let _ = lines.send(l).await;
                }
                self.wait(&spec.name).await?;
                let status = self
                    .inspect(&spec.name)
                    .await?
                    .ok_or(RuntimeError::NoContainer)?;
                Ok(status.exit_code)
            }
            .await;
            let removed = self.remove_if_exists(&spec.name).await;
            let code = result?;
            removed?;
            Ok(code)
        })
    }
}

/// Turns Docker's stats into Wings' numbers (cgroup v1 and v2).
fn sample(s: &bollard::models::ContainerStatsResponse) -> Sample {
    let mem = s.memory_stats.clone().unwrap_or_default();
    let usage = mem.usage.unwrap_or(0);
    let inactive = mem
        .stats
        .as_ref()
        .and_then(|m| {
            m.get("total_inactive_file")
                .or_else(|| m.get("inactive_file"))
                .copied()
        })
        .unwrap_or(0);
    let cpu = s.cpu_stats.clone().unwrap_or_default();
    let pre = s.precpu_stats.clone().unwrap_or_default();
    let total = cpu
        .cpu_usage
        .as_ref()
        .and_then(|u| u.total_usage)
        .unwrap_or(0);
    let pre_total = pre
        .cpu_usage
        .as_ref()
        .and_then(|u| u.total_usage)
        .unwrap_or(0);
    let sys = cpu.system_cpu_usage.unwrap_or(0);
    let pre_sys = pre.system_cpu_usage.unwrap_or(0);
    let cpus = cpu
        .online_cpus
        .map(f64::from)
        .or_else(|| {
            cpu.cpu_usage
                .as_ref()
                .and_then(|u| u.percpu_usage.as_ref())
                .map(|p| p.len() as f64)
        })
        .unwrap_or(1.0);
    let cpu_delta = total.saturating_sub(pre_total) as f64;
    let sys_delta = sys.saturating_sub(pre_sys) as f64;
    let cpu_absolute = if sys_delta > 0.0 && cpu_delta > 0.0 {
        ((cpu_delta / sys_delta) * cpus * 100.0 * 1000.0).round() / 1000.0
    } else {
        0.0
    };
    let (mut rx, mut tx) = (0, 0);
    for n in s
        .networks
        .as_ref()
        .map(|m| m.values().collect::<Vec<_>>())
        .unwrap_or_default()
    {
        rx += n.rx_bytes.unwrap_or(0);
        tx += n.tx_bytes.unwrap_or(0);
    }
    Sample {
        memory_bytes: usage.saturating_sub(inactive),
        memory_limit_bytes: mem.limit.unwrap_or(0),
        cpu_absolute,
        rx_bytes: rx,
        tx_bytes: tx,
    }
}
