//! Migration 4: the `r_mounts` permission bit on application keys (Pelican has the same
//! column), so a key can be allowed or refused the mounts API like any other resource.

use sea_query::{Iden, Table};

use super::{Ddl, int};

/// The column this migration adds to `api_keys`.
#[derive(Iden, Clone, Copy)]
enum ApiKeysMounts {
    #[iden = "api_keys"]
    Table,
    RMounts,
}

pub(crate) fn up() -> Vec<Ddl> {
    vec![Ddl::Alter(
        Table::alter()
            .table(ApiKeysMounts::Table)
            .add_column(int(ApiKeysMounts::RMounts, 0))
            .to_owned(),
    )]
}
