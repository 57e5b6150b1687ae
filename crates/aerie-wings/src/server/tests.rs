//! The state machine against an in-memory runtime: no Docker, deterministic, fast. The
//! runtime prints `ready` when started, echoes stdin lines, exits on `quit` or a signal,
//! and can be made to crash.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aerie_proto::wings::{PowerAction, ProcessState, RemoteServer};
use futures_util::Stream;
use tokio::io::AsyncWrite;
use tokio::sync::{mpsc, watch};

use super::{NodeContext, NodeSettings, Server};
use crate::runtime::{
    Attached, BoxFut, ContainerRuntime, ContainerSpec, ContainerStatus, InstallerSpec,
    RuntimeError, Sample,
};

#[derive(Default)]
struct Proc {
    out: Option<mpsc::UnboundedSender<Vec<u8>>>,
    running: Option<watch::Sender<bool>>,
    exit_code: i64,
    signals: Vec<String>,
}

#[derive(Default, Clone)]
struct FakeRuntime {
    procs: Arc<Mutex<HashMap<String, Proc>>>,
    /// Signals the fake process ignores (like bash as PID 1 ignoring SIGINT).
    ignore: Arc<Mutex<Vec<String>>>,
}

impl FakeRuntime {
    fn exit(&self, name: &str, code: i64) {
        let mut p = self.procs.lock().unwrap();
        let proc = p.get_mut(name).unwrap();
        proc.exit_code = code;
        proc.out = None;
        if let Some(r) = &proc.running {
            r.send_replace(false);
        }
    }
}

struct StdinSink {
    rt: FakeRuntime,
    name: String,
    buf: Vec<u8>,
}

impl AsyncWrite for StdinSink {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        data: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        self.buf.extend_from_slice(data);
        while let Some(i) = self.buf.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.buf.drain(..=i).collect();
            let text = String::from_utf8_lossy(&line).trim().to_owned();
            if text == "quit" {
                self.rt.exit(&self.name, 0);
            } else if let Some(tx) = self
                .rt
                .procs
                .lock()
                .unwrap()
                .get(&self.name)
                .and_then(|p| p.out.clone())
            {
                let _ = tx.send(format!("got:{text}\n").into_bytes());
            }
        }
        std::task::Poll::Ready(Ok(data.len()))
    }
    fn poll_flush(
        self: Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
    fn poll_shutdown(
        self: Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}

impl ContainerRuntime for FakeRuntime {
    fn ensure_image<'a>(&'a self, image: &'a str) -> BoxFut<'a, Result<(), RuntimeError>> {
        Box::pin(async move {
            if image == "missing" {
                return Err(RuntimeError::Image {
                    image: image.into(),
                    message: "not found".into(),
                });
            }
            Ok(())
        })
    }
    fn create<'a>(&'a self, spec: &'a ContainerSpec) -> BoxFut<'a, Result<(), RuntimeError>> {
        Box::pin(async move {
            self.procs
                .lock()
                .unwrap()
                .insert(spec.name.clone(), Proc::default());
            Ok(())
        })
    }
    fn remove<'a>(&'a self, name: &'a str) -> BoxFut<'a, Result<(), RuntimeError>> {
        Box::pin(async move {
            self.procs.lock().unwrap().remove(name);
            Ok(())
        })
    }
    fn attach<'a>(&'a self, name: &'a str) -> BoxFut<'a, Result<Attached, RuntimeError>> {
        Box::pin(async move {
            let (tx, rx) = mpsc::unbounded_channel();
            self.procs
                .lock()
                .unwrap()
                .get_mut(name)
                .ok_or(RuntimeError::NoContainer)?
                .out = Some(tx);
            let output: Pin<Box<dyn Stream<Item = Vec<u8>> + Send>> =
                Box::pin(futures_util::stream::unfold(rx, |mut rx| async move {
                    rx.recv().await.map(|v| (v, rx))
                }));
            Ok(Attached {
                output,
                input: Box::pin(StdinSink {
                    rt: self.clone(),
                    name: name.to_owned(),
                    buf: Vec::new(),
                }),
            })
        })
    }
    fn start<'a>(&'a self, name: &'a str) -> BoxFut<'a, Result<(), RuntimeError>> {
        Box::pin(async move {
            let mut p = self.procs.lock().unwrap();
            let proc = p.get_mut(name).ok_or(RuntimeError::NoContainer)?;
            let (tx, _) = watch::channel(true);
            proc.running = Some(tx);
            if let Some(out) = &proc.out {
                let _ = out.send(b"booting\r\nready\n".to_vec());
            }
            Ok(())
        })
    }
    fn signal<'a>(
        &'a self,
        name: &'a str,
        signal: &'a str,
    ) -> BoxFut<'a, Result<(), RuntimeError>> {
        Box::pin(async move {
            if let Some(p) = self.procs.lock().unwrap().get_mut(name) {
                p.signals.push(signal.to_owned());
            }
            if signal != "SIGKILL" && self.ignore.lock().unwrap().iter().any(|s| s == signal) {
                return Ok(());
            }
            self.exit(name, if signal == "SIGKILL" { 137 } else { 0 });
            Ok(())
        })
    }
    fn inspect<'a>(
        &'a self,
        name: &'a str,
    ) -> BoxFut<'a, Result<Option<ContainerStatus>, RuntimeError>> {
        Box::pin(async move {
            Ok(self
                .procs
                .lock()
                .unwrap()
                .get(name)
                .map(|p| ContainerStatus {
                    running: p.running.as_ref().is_some_and(|r| *r.borrow()),
                    exit_code: p.exit_code,
                    oom_killed: false,
                    started_at: String::new(),
                }))
        })
    }
    fn wait<'a>(&'a self, name: &'a str) -> BoxFut<'a, Result<(), RuntimeError>> {
        Box::pin(async move {
            let rx = self
                .procs
                .lock()
                .unwrap()
                .get(name)
                .and_then(|p| p.running.as_ref().map(watch::Sender::subscribe));
            if let Some(mut rx) = rx {
                let _ = rx.wait_for(|r| !*r).await;
            }
            Ok(())
        })
    }
    fn stats(&self, _name: &str) -> Pin<Box<dyn Stream<Item = Sample> + Send>> {
        Box::pin(futures_util::stream::pending())
    }
    fn logs_tail<'a>(
        &'a self,
        _name: &'a str,
        _lines: usize,
    ) -> BoxFut<'a, Result<Vec<String>, RuntimeError>> {
        Box::pin(async { Ok(vec![]) })
    }
    fn run_installer<'a>(
        &'a self,
        _spec: &'a InstallerSpec,
        lines: mpsc::Sender<String>,
    ) -> BoxFut<'a, Result<i64, RuntimeError>> {
        Box::pin(async move {
            let _ = lines.send("installed".into()).await;
            Ok(0)
        })
    }
}

fn server(
    rt: &FakeRuntime,
    stop: serde_json::Value,
    crash_timeout: Duration,
) -> (Arc<Server>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let settings = NodeSettings {
        data_dir: dir.path().join("v"),
        tmp_dir: dir.path().join("t"),
        log_dir: dir.path().join("l"),
        uid: rustix_uid(),
        gid: rustix_gid(),
        crash_timeout,
        stop_timeout: Duration::from_millis(300),
        ..NodeSettings::default()
    };
    let ctx = Arc::new(NodeContext {
        runtime: Arc::new(rt.clone()),
        panel: None,
        settings,
    });
    let cfg: RemoteServer = serde_json::from_value(serde_json::json!({
        "settings": {"uuid": "srv-1", "invocation": "x", "container": {"image": "img"}},
        "process_configuration": {"startup": {"done": ["ready"]}, "stop": stop}
    }))
    .unwrap();
    (Server::new(ctx, cfg).unwrap(), dir)
}

fn rustix_uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self")
        .map(|m| m.uid())
        .unwrap_or(0)
}
fn rustix_gid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self")
        .map(|m| m.gid())
        .unwrap_or(0)
}

async fn wait(s: &Arc<Server>, want: ProcessState) {
    let mut rx = s.watch_state();
    tokio::time::timeout(Duration::from_secs(5), rx.wait_for(|st| *st == want))
        .await
        .expect("state reached")
        .unwrap();
}

#[tokio::test]
async fn start_runs_to_the_done_line_and_a_command_stop_is_clean() {
    let rt = FakeRuntime::default();
    let (s, _d) = server(
        &rt,
        serde_json::json!({"type": "command", "value": "quit"}),
        Duration::from_secs(60),
    );
    s.power(PowerAction::Start, None).await.unwrap();
    wait(&s, ProcessState::Running).await;
    assert!(s.console_tail(10).contains(&"booting".to_owned()));
    assert_eq!(
        s.power(PowerAction::Start, None).await.unwrap_err(),
        super::PowerError::AlreadyRunning
    );
    s.send_commands(&["hello".into()]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(s.console_tail(10).contains(&"got:hello".to_owned()));
    s.power(PowerAction::Stop, None).await.unwrap();
    assert_eq!(s.state(), ProcessState::Offline);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(!s.console_tail(20).iter().any(|l| l.contains("crashed")));
    assert!(
        rt.procs.lock().unwrap()["srv-1"].signals.is_empty(),
        "stopped by command, no signal"
    );
}

#[tokio::test]
async fn signal_stops_map_and_a_stuck_stop_ends_in_sigkill() {
    let rt = FakeRuntime::default();
    rt.ignore.lock().unwrap().push("SIGINT".into());
    let (s, _d) = server(
        &rt,
        serde_json::json!({"type": "signal", "value": "C"}),
        Duration::from_secs(60),
    );
    s.power(PowerAction::Start, None).await.unwrap();
    wait(&s, ProcessState::Running).await;
    s.power(PowerAction::Stop, None).await.unwrap();
    assert_eq!(s.state(), ProcessState::Offline);
    assert_eq!(
        rt.procs.lock().unwrap()["srv-1"].signals,
        vec!["SIGINT".to_owned(), "SIGKILL".to_owned()]
    );
    assert!(
        s.console_tail(20)
            .iter()
            .any(|l| l.contains("did not stop in time"))
    );
}

#[tokio::test]
async fn crashes_restart_once_per_guard_window() {
    let rt = FakeRuntime::default();
    let (s, _d) = server(
        &rt,
        serde_json::json!({"type": "command", "value": "quit"}),
        Duration::from_secs(60),
    );
    s.power(PowerAction::Start, None).await.unwrap();
    wait(&s, ProcessState::Running).await;
    let mut events = s.subscribe();
    rt.exit("srv-1", 1);
    // offline, then starting and running again (watched as events: the restart is so fast
    // here that a state watcher could miss the offline step).
    let mut seen = Vec::new();
    while !(seen.contains(&"offline".to_owned())
        && seen.last().map(String::as_str) == Some("running"))
    {
        let ev = tokio::time::timeout(Duration::from_secs(5), events.recv())
            .await
            .expect("status events")
            .unwrap();
        if ev.name == "status" {
            seen.push(ev.args[0].clone());
        }
    }
    assert!(
        s.console_tail(50)
            .iter()
            .any(|l| l.contains("Exit code: 1"))
    );
    rt.exit("srv-1", 1);
    wait(&s, ProcessState::Offline).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(s.state(), ProcessState::Offline);
    assert!(
        s.console_tail(50)
            .iter()
            .any(|l| l.contains("Aborting automatic restart"))
    );
}

#[tokio::test]
async fn failures_leave_the_server_offline_with_a_console_message() {
    let rt = FakeRuntime::default();
    let (s, _d) = server(
        &rt,
        serde_json::json!({"type": "command", "value": "quit"}),
        Duration::from_secs(60),
    );
    let mut cfg = RemoteServer {
        uuid: String::new(),
        settings: s.settings(),
        process_configuration: Default::default(),
    };
    cfg.settings.container.image = "missing".into();
    cfg.process_configuration.startup.done = vec!["ready".into()];
    s.update_config(cfg).unwrap();
    let err = s.power(PowerAction::Start, None).await.unwrap_err();
    assert!(err.to_string().contains("not available"), "{err}");
    assert_eq!(s.state(), ProcessState::Offline);
    assert_eq!(
        s.send_commands(&["x".into()]).await.unwrap_err(),
        super::PowerError::NotRunning
    );
}
