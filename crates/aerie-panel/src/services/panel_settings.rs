//! Panel-wide settings an administrator may change from the browser: only those the panel
//! really honours, each stored under the key its reader uses.
//!
//! - `two_factor_required` (`2fa_required`, read by `auth::require_two_factor`): 0 nobody,
//!   1 administrators, 2 everyone must use two-factor authentication. Pterodactyl calls it
//!   `pterodactyl:auth:2fa_required`.
//! - `client_allocations_enabled`, `client_allocations_range_start`,
//!   `client_allocations_range_end` (read by `client_servers::assign_allocation`): whether
//!   users may add allocations to their servers themselves, and from which port range.
//!   Pterodactyl's `pterodactyl:client_features:allocations:*`.
//!
//! Pterodactyl's `app:name` is not offered: nothing in Aerie shows a configurable name.

use aerie_db::Db;
use aerie_db::models::User;
use aerie_http::Error;

use super::client_servers::{
    ALLOCATIONS_ENABLED_SETTING, ALLOCATIONS_RANGE_END_SETTING, ALLOCATIONS_RANGE_START_SETTING,
};
use super::db_err;
use crate::api::Validator;
use crate::auth::TWO_FACTOR_REQUIRED_SETTING;

/// The lowest port of the automatic allocation range.
pub const MIN_PORT: i64 = 1024;
/// The highest port of the automatic allocation range.
pub const MAX_PORT: i64 = 65535;

/// The settings as the panel currently applies them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanelSettings {
    /// 0 nobody, 1 administrators, 2 everyone.
    pub two_factor_required: i64,
    /// Whether users may add allocations to their servers.
    pub client_allocations_enabled: bool,
    /// First port of the automatic allocation range.
    pub client_allocations_range_start: Option<i64>,
    /// Last port of the automatic allocation range.
    pub client_allocations_range_end: Option<i64>,
}

/// A change: `None` leaves a setting alone; for the range, `Some(None)` clears it.
#[derive(Debug, Default, Clone)]
pub struct SettingsChange {
    /// New two-factor requirement.
    pub two_factor_required: Option<i64>,
    /// New automatic allocation switch.
    pub client_allocations_enabled: Option<bool>,
    /// New range start, or `Some(None)` to clear it.
    pub client_allocations_range_start: Option<Option<i64>>,
    /// New range end, or `Some(None)` to clear it.
    pub client_allocations_range_end: Option<Option<i64>>,
}

async fn read(db: &Db, key: &str) -> Result<Option<String>, Error> {
    Ok(db
        .settings()
        .get(key)
        .await
        .map_err(db_err)?
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty()))
}

/// The current settings, read the way their consumers read them.
///
/// # Errors
/// Database errors.
pub async fn get_settings(db: &Db) -> Result<PanelSettings, Error> {
    let two_factor_required = read(db, TWO_FACTOR_REQUIRED_SETTING)
        .await?
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|v| (0..=2).contains(v))
        .unwrap_or(0);
    let client_allocations_enabled = read(db, ALLOCATIONS_ENABLED_SETTING)
        .await?
        .is_some_and(|v| matches!(v.as_str(), "1" | "true" | "yes" | "on"));
    let port = |v: Option<String>| v.and_then(|p| p.parse::<i64>().ok());
    Ok(PanelSettings {
        two_factor_required,
        client_allocations_enabled,
        client_allocations_range_start: port(read(db, ALLOCATIONS_RANGE_START_SETTING).await?),
        client_allocations_range_end: port(read(db, ALLOCATIONS_RANGE_END_SETTING).await?),
    })
}

/// Validates `change` against the current settings and stores it; returns the result.
/// `admin` is who asks: a two-factor requirement that would apply to an administrator who
/// has no two-factor yet is refused, so nobody locks themselves out of the admin pages.
///
/// # Errors
/// 422 for a two-factor level other than 0, 1 or 2 (or one `admin` would not meet), a port
/// outside 1024–65535, a range whose start is not below its end, or automatic allocation
/// enabled without a range.
pub async fn update_settings(
    db: &Db,
    admin: &User,
    change: SettingsChange,
) -> Result<PanelSettings, Error> {
    let current = get_settings(db).await?;
    let next = PanelSettings {
        two_factor_required: change
            .two_factor_required
            .unwrap_or(current.two_factor_required),
        client_allocations_enabled: change
            .client_allocations_enabled
            .unwrap_or(current.client_allocations_enabled),
        client_allocations_range_start: change
            .client_allocations_range_start
            .unwrap_or(current.client_allocations_range_start),
        client_allocations_range_end: change
            .client_allocations_range_end
            .unwrap_or(current.client_allocations_range_end),
    };
    let mut v = Validator::new();
    v.rule(
        "two_factor_required",
        "in",
        (0..=2).contains(&next.two_factor_required),
        "The two factor required must be 0 (nobody), 1 (administrators) or 2 (everyone).",
    );
    v.rule(
        "two_factor_required",
        "two_factor",
        admin.use_totp
            || next.two_factor_required == 0
            || next.two_factor_required == current.two_factor_required,
        "Enable two-factor authentication on your own account before requiring it: the panel would otherwise block you until you do.",
    );
    let in_range = |p: Option<i64>| p.is_none_or(|p| (MIN_PORT..=MAX_PORT).contains(&p));
    v.rule(
        "client_allocations_range_start",
        "between",
        in_range(next.client_allocations_range_start),
        format!("The client allocations range start must be between {MIN_PORT} and {MAX_PORT}."),
    );
    v.rule(
        "client_allocations_range_end",
        "between",
        in_range(next.client_allocations_range_end),
        format!("The client allocations range end must be between {MIN_PORT} and {MAX_PORT}."),
    );
    if next.client_allocations_enabled {
        v.rule(
            "client_allocations_range_start",
            "required",
            next.client_allocations_range_start.is_some(),
            "The client allocations range start field is required when automatic allocation is enabled.",
        );
        v.rule(
            "client_allocations_range_end",
            "required",
            next.client_allocations_range_end.is_some(),
            "The client allocations range end field is required when automatic allocation is enabled.",
        );
    }
    if let (Some(start), Some(end)) = (
        next.client_allocations_range_start,
        next.client_allocations_range_end,
    ) {
        v.rule(
            "client_allocations_range_end",
            "gt",
            end > start,
            "The client allocations range end must be greater than the range start.",
        );
    }
    v.finish()?;
    let set = |key: &'static str, value: String| async move {
        db.settings().set(key, &value).await.map_err(db_err)
    };
    set(
        TWO_FACTOR_REQUIRED_SETTING,
        next.two_factor_required.to_string(),
    )
    .await?;
    set(
        ALLOCATIONS_ENABLED_SETTING,
        if next.client_allocations_enabled {
            "1"
        } else {
            "0"
        }
        .to_owned(),
    )
    .await?;
    set(
        ALLOCATIONS_RANGE_START_SETTING,
        next.client_allocations_range_start
            .map(|p| p.to_string())
            .unwrap_or_default(),
    )
    .await?;
    set(
        ALLOCATIONS_RANGE_END_SETTING,
        next.client_allocations_range_end
            .map(|p| p.to_string())
            .unwrap_or_default(),
    )
    .await?;
    Ok(next)
}
