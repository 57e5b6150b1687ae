//! The console websocket, `/api/servers/{uuid}/ws` (§4): JWT auth inside the socket, events
//! gated by the token's permissions, power and commands from the browser, token expiry
//! warnings, and the `ws/deny` list.

use std::sync::Arc;
use std::time::Duration;

use aerie_proto::wings::{PowerAction, ProcessState, WebsocketClaims, WsMessage, events};
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

use crate::WingsState;
use crate::server::{Event, Server};

fn origin_allowed(state: &WingsState, headers: &HeaderMap) -> bool {
    let Some(origin) = headers
        .get(axum::http::header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    else {
        // Bots and API libraries often send no Origin; browsers always do.
        return true;
    };
    let origin = origin.trim_end_matches('/');
    let s = &state.manager.context().settings;
    (!s.panel_url.is_empty() && origin == s.panel_url.trim_end_matches('/'))
        || s.allowed_origins
            .iter()
            .any(|o| o == "*" || o.trim_end_matches('/') == origin)
}

/// The upgrade handler.
pub(crate) async fn websocket(
    State(state): State<WingsState>,
    Path(uuid): Path<String>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<aerie_http::Peer>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    let server = match crate::routes::find_server(&state, &uuid) {
        Ok(s) => s,
        Err(e) => return e.into_response(),
    };
    if !origin_allowed(&state, &headers) {
        return aerie_http::Error::Forbidden(
            "This origin is not allowed to connect to this node.".into(),
        )
        .into_response();
    }
    let ip = peer.addr.ip().to_string();
    ws.max_message_size(64 * 1024).on_upgrade(move |socket| {
        Session {
            state,
            server,
            ip,
            claims: None,
            listening: false,
        }
        .run(socket)
    })
}

struct Session {
    state: WingsState,
    server: Arc<Server>,
    /// The client's address, for the activity log.
    ip: String,
    claims: Option<WebsocketClaims>,
    listening: bool,
}

fn frame(event: &str, args: Vec<String>) -> Message {
    Message::Text(
        serde_json::to_string(&WsMessage::new(event, args))
            .unwrap_or_default()
            .into(),
    )
}

impl Session {
    async fn run(mut self, socket: WebSocket) {
        let (mut tx, mut rx) = socket.split();
        let mut events = self.server.subscribe();
        let mut ticker = tokio::time::interval(Duration::from_secs(30));
        ticker.tick().await;
        loop {
            tokio::select! {
                incoming = rx.next() => {
                    let Some(Ok(msg)) = incoming else { break };
                    let text = match msg {
                        Message::Text(t) => t.to_string(),
                        Message::Close(_) => break,
                        _ => continue,
                    };
                    // Invalid JSON is ignored, as Wings does.
                    let Ok(m) = serde_json::from_str::<WsMessage>(&text) else { continue };
                    for out in self.handle(m).await {
                        if tx.send(out).await.is_err() {
                            return;
                        }
                    }
                }
                ev = events.recv() => {
                    let mut batch = match ev {
                        Ok(ev) => vec![ev],
                        // A slow client misses lines rather than slowing the server down.
                        Err(RecvError::Lagged(_)) => continue,
                        Err(RecvError::Closed) => break,
                    };
                    // Drain what is already queued and flush once: one write per burst,
                    // not one per line.
                    while batch.len() < 512 {
                        match events.try_recv() {
                            Ok(ev) => batch.push(ev),
                            Err(TryRecvError::Lagged(_)) => continue,
                            Err(_) => break,
                        }
                    }
                    for ev in batch {
                        if ev.name == events::DELETED {
                            let _ = tx.send(Message::Text(ev.frame)).await;
                            let _ = tx.send(Message::Close(Some(CloseFrame { code: 1001, reason: "server deleted".into() }))).await;
                            return;
                        }
                        if let Some(out) = self.forward(ev)
                            && tx.feed(out).await.is_err() {
                                return;
                            }
                    }
                    if tx.flush().await.is_err() {
                        return;
                    }
                }
                _ = ticker.tick() => {
                    if let Some(out) = self.check_expiry()
                        && tx.send(out).await.is_err() {
                            return;
                        }
                }
            }
        }
    }

    fn check_expiry(&mut self) -> Option<Message> {
        let exp = self.claims.as_ref()?.exp;
        let left = exp - crate::now_secs();
        if left <= 0 {
            self.claims = None;
            Some(frame(events::TOKEN_EXPIRED, vec![]))
        } else if left <= 60 {
            Some(frame(events::TOKEN_EXPIRING, vec![]))
        } else {
            None
        }
    }

    /// Whether the current token may see this event.
    fn forward(&self, ev: Event) -> Option<Message> {
        let claims = self.claims.as_ref()?;
        if !self.listening || claims.exp <= crate::now_secs() {
            return None;
        }
        let allowed = match ev.name {
            events::INSTALL_OUTPUT => claims.has_permission("admin.websocket.install"),
            events::TRANSFER_LOGS => claims.has_permission("admin.websocket.transfer"),
            events::BACKUP_COMPLETED | events::BACKUP_RESTORE_COMPLETED => {
                claims.has_permission("backup.read")
            }
            _ => true,
        };
        if !allowed {
            return None;
        }
        if ev.name == events::DAEMON_ERROR {
            return Some(
                self.daemon_error(ev.args.first().map(String::as_str).unwrap_or_default()),
            );
        }
        Some(Message::Text(ev.frame))
    }

    fn daemon_error(&self, message: &str) -> Message {
        let admin = self
            .claims
            .as_ref()
            .is_some_and(|c| c.has_permission("admin.websocket.errors"));
        let text = if admin {
            message
        } else {
            "an unexpected error was encountered while handling this request"
        };
        frame(
            events::DAEMON_ERROR,
            vec![format!("Error Event [{}]: {text}", self.server.uuid())],
        )
    }

    fn authenticate(&self, token: &str) -> Result<WebsocketClaims, String> {
        let claims: WebsocketClaims =
            aerie_jwt::verify(token, self.state.jwt_key(), crate::now_secs())
                .map_err(|e| e.to_string())?;
        if claims.server_uuid != self.server.uuid() {
            return Err("jwt: server uuid mismatch".into());
        }
        if self.state.manager.is_denied(&claims.jti, claims.iat) {
            return Err("jwt: created too far in past (denylist)".into());
        }
        if !claims.has_permission("websocket.connect") {
            return Err("jwt: missing connect permission".into());
        }
        Ok(claims)
    }

    async fn handle(&mut self, m: WsMessage) -> Vec<Message> {
        if m.event == events::AUTH {
            let token = m.args.first().map(String::as_str).unwrap_or_default();
            return match self.authenticate(token) {
                Ok(claims) => {
                    self.claims = Some(claims);
                    let mut out = vec![frame(events::AUTH_SUCCESS, vec![])];
                    if !self.listening {
                        self.listening = true;
                        let state = self.server.state();
                        out.push(frame(events::STATUS, vec![state.as_str().to_owned()]));
                        if state == ProcessState::Offline && !self.server.is_installing() {
                            out.push(frame(
                                events::STATS,
                                vec![
                                    serde_json::to_string(&self.server.stats()).unwrap_or_default(),
                                ],
                            ));
                        }
                    }
                    out
                }
                Err(e) => vec![frame(events::JWT_ERROR, vec![e])],
            };
        }
        let Some(claims) = self.claims.clone() else {
            return vec![frame(events::JWT_ERROR, vec!["jwt: no jwt present".into()])];
        };
        if claims.exp <= crate::now_secs() {
            self.claims = None;
            return vec![frame(
                events::JWT_ERROR,
                vec!["jwt: exp claim is invalid".into()],
            )];
        }
        if self.state.manager.is_denied(&claims.jti, claims.iat) {
            self.claims = None;
            return vec![frame(
                events::JWT_ERROR,
                vec!["jwt: created too far in past (denylist)".into()],
            )];
        }
        match m.event.as_str() {
            events::SEND_LOGS => {
                if self.server.state() == ProcessState::Offline {
                    return vec![];
                }
                let n = self.state.manager.context().settings.websocket_log_count;
                self.server
                    .console_tail(n)
                    .into_iter()
                    .map(|l| frame(events::CONSOLE_OUTPUT, vec![l]))
                    .collect()
            }
            events::SEND_STATS => vec![frame(
                events::STATS,
                vec![serde_json::to_string(&self.server.stats()).unwrap_or_default()],
            )],
            events::SEND_COMMAND => {
                if !claims.has_permission("control.console") {
                    return vec![self.permission_error("control.console")];
                }
                let Some(cmd) = m.args.first().cloned() else {
                    return vec![];
                };
                if self.server.state() == ProcessState::Offline {
                    return vec![];
                }
                match self.server.send_commands(std::slice::from_ref(&cmd)).await {
                    Ok(()) => {
                        self.state.manager.record_activity(
                            self.server.uuid(),
                            "server:console.command",
                            Some(&claims.user_uuid),
                            &self.ip,
                            Some(serde_json::json!({ "command": cmd })),
                        );
                        vec![]
                    }
                    Err(e) => vec![self.daemon_error(&e.to_string())],
                }
            }
            events::SET_STATE => {
                let Some(action) = m.args.first().and_then(|a| a.parse::<PowerAction>().ok())
                else {
                    return vec![];
                };
                let needed = match action {
                    PowerAction::Start => "control.start",
                    PowerAction::Stop | PowerAction::Kill => "control.stop",
                    PowerAction::Restart => "control.restart",
                };
                if !claims.has_permission(needed) {
                    return vec![self.permission_error(needed)];
                }
                if self.server.is_busy() && action != PowerAction::Kill {
                    return vec![frame(
                        events::DAEMON_ERROR,
                        vec![format!(
                            "Error Event [{}]: another power action is currently being processed for this server, please try again later",
                            self.server.uuid()
                        )],
                    )];
                }
                let event = format!("server:power.{}", m.args[0]);
                self.state.manager.record_activity(
                    self.server.uuid(),
                    &event,
                    Some(&claims.user_uuid),
                    &self.ip,
                    None,
                );
                let server = self.server.clone();
                tokio::spawn(async move {
                    if let Err(e) = server.power(action, None).await {
                        server.publish_error(&e.to_string());
                    }
                });
                vec![]
            }
            // Unknown events (py-dactyl's `status`, `stats`, …) are ignored.
            _ => vec![],
        }
    }

    fn permission_error(&self, permission: &str) -> Message {
        frame(
            events::DAEMON_ERROR,
            vec![format!(
                "Error Event [{}]: you do not have the {permission} permission",
                self.server.uuid()
            )],
        )
    }
}
