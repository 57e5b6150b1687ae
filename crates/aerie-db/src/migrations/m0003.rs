//! Migration 3: what browser logins need — sessions (stored by the SHA-256 of their cookie
//! token, never the token itself), password-reset tokens, two-factor recovery tokens, and
//! the time of the last accepted TOTP code on `users` (so a code cannot be replayed).
//!
//! Column names follow Pterodactyl where it has the table (`password_resets`,
//! `recovery_tokens`, `users.totp_authenticated_at`).

use sea_query::{ColumnDef, ForeignKey, ForeignKeyAction, Iden, Index, Table};

use super::{Ddl, Users, string, string_null, ts, ts_null};

/// Browser sessions.
#[derive(Iden, Clone, Copy)]
pub(crate) enum Sessions {
    Table,
    /// Hex SHA-256 of the cookie token.
    Id,
    UserId,
    CsrfToken,
    Ip,
    UserAgent,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
}

/// Pending password resets, one per e-mail address.
#[derive(Iden, Clone, Copy)]
pub(crate) enum PasswordResets {
    Table,
    Email,
    TokenHash,
    CreatedAt,
}

/// Single-use two-factor recovery tokens.
#[derive(Iden, Clone, Copy)]
pub(crate) enum RecoveryTokens {
    Table,
    Id,
    UserId,
    TokenHash,
    CreatedAt,
}

/// The column this migration adds to `users`.
#[derive(Iden, Clone, Copy)]
enum UsersTotp {
    #[iden = "users"]
    Table,
    TotpAuthenticatedAt,
}

fn user_fk(
    name: &str,
    from: (impl Iden + 'static, impl Iden + 'static),
) -> sea_query::ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(Users::Table, Users::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

pub(crate) fn up() -> Vec<Ddl> {
    let sessions = Table::create()
        .table(Sessions::Table)
        .col(string(Sessions::Id, 64).primary_key().to_owned())
        .col(ColumnDef::new(Sessions::UserId).big_integer().not_null())
        .col(string(Sessions::CsrfToken, 64))
        .col(string_null(Sessions::Ip, 45))
        .col(string_null(Sessions::UserAgent, 500))
        .col(ts(Sessions::CreatedAt))
        .col(ts(Sessions::LastSeenAt))
        .col(ts(Sessions::ExpiresAt))
        .foreign_key(&mut user_fk(
            "fk_sessions_user",
            (Sessions::Table, Sessions::UserId),
        ))
        .to_owned();

    let resets = Table::create()
        .table(PasswordResets::Table)
        .col(string(PasswordResets::Email, 191).primary_key().to_owned())
        .col(string(PasswordResets::TokenHash, 64))
        .col(ts(PasswordResets::CreatedAt))
        .to_owned();

    let recovery = Table::create()
        .table(RecoveryTokens::Table)
        .col(
            ColumnDef::new(RecoveryTokens::Id)
                .big_integer()
                .not_null()
                .auto_increment()
                .primary_key(),
        )
        .col(
            ColumnDef::new(RecoveryTokens::UserId)
                .big_integer()
                .not_null(),
        )
        .col(string(RecoveryTokens::TokenHash, 64))
        .col(ts(RecoveryTokens::CreatedAt))
        .foreign_key(&mut user_fk(
            "fk_recovery_tokens_user",
            (RecoveryTokens::Table, RecoveryTokens::UserId),
        ))
        .to_owned();

    vec![
        Ddl::Table(sessions),
        Ddl::Index(
            Index::create()
                .name("idx_sessions_user")
                .table(Sessions::Table)
                .col(Sessions::UserId)
                .to_owned(),
        ),
        Ddl::Table(resets),
        Ddl::Table(recovery),
        Ddl::Index(
            Index::create()
                .name("idx_recovery_tokens_user")
                .table(RecoveryTokens::Table)
                .col(RecoveryTokens::UserId)
                .to_owned(),
        ),
        Ddl::Alter(
            Table::alter()
                .table(UsersTotp::Table)
                .add_column(ts_null(UsersTotp::TotpAuthenticatedAt))
                .to_owned(),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use crate::Backend;

    #[test]
    fn renders_on_every_backend() {
        for backend in [Backend::Sqlite, Backend::Postgres, Backend::MySql] {
            let sql: Vec<String> = super::up().iter().map(|d| d.render(backend)).collect();
            let alter = sql.last().unwrap();
            assert!(
                alter.contains("ALTER TABLE") && alter.contains("totp_authenticated_at"),
                "{backend:?}: {alter}"
            );
            assert!(sql[0].contains("sessions"), "{}", sql[0]);
        }
    }
}
