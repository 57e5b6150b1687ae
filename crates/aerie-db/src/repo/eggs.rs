//! Eggs and their variables.
//!
//! An egg and its variables are written together in one transaction ([`EggRepo::create`],
//! [`EggRepo::update`]), so an import either lands whole or not at all. Variables are
//! replaced by `env_variable`: a variable that is still in the new list is updated in place
//! and keeps its id (servers' values point at it), new ones are inserted, and ones no longer
//! listed are deleted (their server values go with them).

use sea_query::{Alias, Expr, InsertStatement, Order, Query, QueryStatementWriter, SimpleExpr};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::users::{SERVER_SUMMARY_COLS, ServerSummary, server_summary_from_row};
use super::{get_bool, get_i64, get_opt_str, get_str};
use crate::db::bind;
use crate::migrations::{EggVariables as V, Eggs as E, Servers as S};
use crate::{Backend, Db, DbError};

/// An egg: a game template (Pterodactyl's `eggs` table). JSON-shaped columns hold JSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Egg {
    /// Id.
    pub id: i64,
    /// UUID.
    pub uuid: String,
    /// The nest it belongs to.
    pub nest_id: i64,
    /// Author.
    pub author: String,
    /// Display name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Feature flags, a JSON array.
    pub features: Option<String>,
    /// Display label → image, a JSON object in the egg's order (the first is the default).
    pub docker_images: String,
    /// Paths users may not touch, a JSON array.
    pub file_denylist: Option<String>,
    /// Where updated versions of the egg are published.
    pub update_url: Option<String>,
    /// `config.files`, JSON-encoded.
    pub config_files: Option<String>,
    /// `config.startup`, JSON-encoded.
    pub config_startup: Option<String>,
    /// `config.logs`, JSON-encoded.
    pub config_logs: Option<String>,
    /// The stop command or signal.
    pub config_stop: Option<String>,
    /// Egg whose config this one inherits.
    pub config_from: Option<i64>,
    /// The startup command.
    pub startup: Option<String>,
    /// Image the install script runs in.
    pub script_container: String,
    /// Egg whose install script this one uses.
    pub copy_script_from: Option<i64>,
    /// Program that runs the install script.
    pub script_entry: String,
    /// Run the install script privileged.
    pub script_is_privileged: bool,
    /// The install script.
    pub script_install: Option<String>,
    /// Route the server's outgoing traffic through its allocation's IP.
    pub force_outgoing_ip: bool,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Updated (RFC 3339).
    pub updated_at: String,
}

/// Every writable column of an egg except its id, UUID and nest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EggFields {
    /// Author.
    pub author: String,
    /// Display name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Feature flags, a JSON array.
    pub features: Option<String>,
    /// Display label → image, a JSON object.
    pub docker_images: String,
    /// Denied paths, a JSON array.
    pub file_denylist: Option<String>,
    /// Update URL.
    pub update_url: Option<String>,
    /// `config.files`, JSON-encoded.
    pub config_files: Option<String>,
    /// `config.startup`, JSON-encoded.
    pub config_startup: Option<String>,
    /// `config.logs`, JSON-encoded.
    pub config_logs: Option<String>,
    /// The stop command or signal.
    pub config_stop: Option<String>,
    /// Egg whose config this one inherits.
    pub config_from: Option<i64>,
    /// The startup command.
    pub startup: Option<String>,
    /// Image the install script runs in.
    pub script_container: String,
    /// Egg whose install script this one uses.
    pub copy_script_from: Option<i64>,
    /// Program that runs the install script.
    pub script_entry: String,
    /// Run the install script privileged.
    pub script_is_privileged: bool,
    /// The install script.
    pub script_install: Option<String>,
    /// Route outgoing traffic through the allocation's IP.
    pub force_outgoing_ip: bool,
}

/// One of an egg's variables (Pterodactyl's `egg_variables` table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EggVariable {
    /// Id.
    pub id: i64,
    /// The egg.
    pub egg_id: i64,
    /// Display name.
    pub name: String,
    /// Help text.
    pub description: Option<String>,
    /// The environment variable it sets.
    pub env_variable: String,
    /// Default value.
    pub default_value: Option<String>,
    /// Users can see it.
    pub user_viewable: bool,
    /// Users can change it.
    pub user_editable: bool,
    /// Laravel validation rules, one pipe string (`required|string|max:20`).
    pub rules: Option<String>,
    /// Display order (ascending, then by id).
    pub sort: i64,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Updated (RFC 3339).
    pub updated_at: String,
}

/// The writable columns of an egg variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEggVariable {
    /// Display name.
    pub name: String,
    /// Help text.
    pub description: String,
    /// The environment variable; the key variables are matched by when replaced.
    pub env_variable: String,
    /// Default value.
    pub default_value: String,
    /// Users can see it.
    pub user_viewable: bool,
    /// Users can change it.
    pub user_editable: bool,
    /// Laravel rules as one pipe string.
    pub rules: String,
    /// Display order.
    pub sort: i64,
}

const COLS: [E; 24] = [
    E::Id,
    E::Uuid,
    E::NestId,
    E::Author,
    E::Name,
    E::Description,
    E::Features,
    E::DockerImages,
    E::FileDenylist,
    E::UpdateUrl,
    E::ConfigFiles,
    E::ConfigStartup,
    E::ConfigLogs,
    E::ConfigStop,
    E::ConfigFrom,
    E::Startup,
    E::ScriptContainer,
    E::CopyScriptFrom,
    E::ScriptEntry,
    E::ScriptIsPrivileged,
    E::ScriptInstall,
    E::ForceOutgoingIp,
    E::CreatedAt,
    E::UpdatedAt,
];

const VAR_COLS: [V; 12] = [
    V::Id,
    V::EggId,
    V::Name,
    V::Description,
    V::EnvVariable,
    V::DefaultValue,
    V::UserViewable,
    V::UserEditable,
    V::Rules,
    V::Sort,
    V::CreatedAt,
    V::UpdatedAt,
];

fn get_opt_i64(r: &AnyRow, col: &str) -> Result<Option<i64>, DbError> {
    Ok(r.try_get::<Option<i64>, _>(col)?)
}

fn from_row(r: &AnyRow) -> Result<Egg, DbError> {
    Ok(Egg {
        id: get_i64(r, "id")?,
        uuid: get_str(r, "uuid")?,
        nest_id: get_i64(r, "nest_id")?,
        author: get_str(r, "author")?,
        name: get_str(r, "name")?,
        description: get_opt_str(r, "description")?,
        features: get_opt_str(r, "features")?,
        docker_images: get_str(r, "docker_images")?,
        file_denylist: get_opt_str(r, "file_denylist")?,
        update_url: get_opt_str(r, "update_url")?,
        config_files: get_opt_str(r, "config_files")?,
        config_startup: get_opt_str(r, "config_startup")?,
        config_logs: get_opt_str(r, "config_logs")?,
        config_stop: get_opt_str(r, "config_stop")?,
        config_from: get_opt_i64(r, "config_from")?,
        startup: get_opt_str(r, "startup")?,
        script_container: get_str(r, "script_container")?,
        copy_script_from: get_opt_i64(r, "copy_script_from")?,
        script_entry: get_str(r, "script_entry")?,
        script_is_privileged: get_bool(r, "script_is_privileged")?,
        script_install: get_opt_str(r, "script_install")?,
        force_outgoing_ip: get_bool(r, "force_outgoing_ip")?,
        created_at: get_str(r, "created_at")?,
        updated_at: get_str(r, "updated_at")?,
    })
}

fn var_from_row(r: &AnyRow) -> Result<EggVariable, DbError> {
    Ok(EggVariable {
        id: get_i64(r, "id")?,
        egg_id: get_i64(r, "egg_id")?,
        name: get_str(r, "name")?,
        description: get_opt_str(r, "description")?,
        env_variable: get_str(r, "env_variable")?,
        default_value: get_opt_str(r, "default_value")?,
        user_viewable: get_bool(r, "user_viewable")?,
        user_editable: get_bool(r, "user_editable")?,
        rules: get_opt_str(r, "rules")?,
        sort: get_i64(r, "sort")?,
        created_at: get_str(r, "created_at")?,
        updated_at: get_str(r, "updated_at")?,
    })
}

fn select() -> sea_query::SelectStatement {
    Query::select().columns(COLS).from(E::Table).to_owned()
}

/// The column/value pairs of [`EggFields`].
fn field_values(f: &EggFields) -> Vec<(E, sea_query::SimpleExpr)> {
    vec![
        (E::Author, f.author.clone().into()),
        (E::Name, f.name.clone().into()),
        (E::Description, f.description.clone().into()),
        (E::Features, f.features.clone().into()),
        (E::DockerImages, f.docker_images.clone().into()),
        (E::FileDenylist, f.file_denylist.clone().into()),
        (E::UpdateUrl, f.update_url.clone().into()),
        (E::ConfigFiles, f.config_files.clone().into()),
        (E::ConfigStartup, f.config_startup.clone().into()),
        (E::ConfigLogs, f.config_logs.clone().into()),
        (E::ConfigStop, f.config_stop.clone().into()),
        (E::ConfigFrom, f.config_from.into()),
        (E::Startup, f.startup.clone().into()),
        (E::ScriptContainer, f.script_container.clone().into()),
        (E::CopyScriptFrom, f.copy_script_from.into()),
        (E::ScriptEntry, f.script_entry.clone().into()),
        (
            E::ScriptIsPrivileged,
            i64::from(f.script_is_privileged).into(),
        ),
        (E::ScriptInstall, f.script_install.clone().into()),
        (E::ForceOutgoingIp, i64::from(f.force_outgoing_ip).into()),
    ]
}

/// The eggs repository.
pub struct EggRepo<'a>(&'a Db);

impl Db {
    /// Eggs and their variables.
    pub fn eggs(&self) -> EggRepo<'_> {
        EggRepo(self)
    }
}

// ---- statements inside one transaction ---------------------------------------------------

async fn tx_execute<S: QueryStatementWriter>(
    db: &Db,
    tx: &mut Transaction<'static, Any>,
    stmt: &S,
) -> Result<u64, DbError> {
    let (sql, values) = db.build(stmt);
    Ok(bind(sqlx::query(&sql), values)
        .execute(&mut **tx)
        .await?
        .rows_affected())
}

async fn tx_fetch_all<S: QueryStatementWriter>(
    db: &Db,
    tx: &mut Transaction<'static, Any>,
    stmt: &S,
) -> Result<Vec<AnyRow>, DbError> {
    let (sql, values) = db.build(stmt);
    Ok(bind(sqlx::query(&sql), values).fetch_all(&mut **tx).await?)
}

async fn tx_insert_id(
    db: &Db,
    tx: &mut Transaction<'static, Any>,
    stmt: &mut InsertStatement,
) -> Result<i64, DbError> {
    if db.backend() != Backend::MySql {
        stmt.returning_col(Alias::new("id"));
        let (sql, values) = db.build(&*stmt);
        let row = bind(sqlx::query(&sql), values).fetch_one(&mut **tx).await?;
        return Ok(row.try_get::<i64, _>(0)?);
    }
    let (sql, values) = db.build(&*stmt);
    let res = bind(sqlx::query(&sql), values).execute(&mut **tx).await?;
    res.last_insert_id()
        .ok_or_else(|| DbError::Other("the database did not report the new row's id".into()))
}

/// Makes the egg's variables exactly `vars` (matched by `env_variable`), inside `tx`.
async fn tx_replace_variables(
    db: &Db,
    tx: &mut Transaction<'static, Any>,
    egg_id: i64,
    vars: &[NewEggVariable],
) -> Result<(), DbError> {
    let existing = tx_fetch_all(
        db,
        tx,
        &Query::select()
            .columns([V::Id, V::EnvVariable])
            .from(V::Table)
            .and_where(Expr::col(V::EggId).eq(egg_id))
            .order_by(V::Id, Order::Asc)
            .to_owned(),
    )
    .await?
    .iter()
    .map(|r| Ok((get_i64(r, "id")?, get_str(r, "env_variable")?)))
    .collect::<Result<Vec<(i64, String)>, DbError>>()?;

    let now = crate::now();
    let mut kept: Vec<i64> = Vec::new();
    for v in vars {
        let matching = existing
            .iter()
            .find(|(id, env)| *env == v.env_variable && !kept.contains(id));
        match matching {
            Some((id, _)) => {
                kept.push(*id);
                tx_execute(
                    db,
                    tx,
                    &Query::update()
                        .table(V::Table)
                        .values([
                            (V::Name, v.name.clone().into()),
                            (V::Description, v.description.clone().into()),
                            (V::DefaultValue, v.default_value.clone().into()),
                            (V::UserViewable, i64::from(v.user_viewable).into()),
                            (V::UserEditable, i64::from(v.user_editable).into()),
                            (V::Rules, v.rules.clone().into()),
                            (V::Sort, v.sort.into()),
                            (V::UpdatedAt, now.clone().into()),
                        ])
                        .and_where(Expr::col(V::Id).eq(*id))
                        .to_owned(),
                )
                .await?;
            }
            None => {
                let id = tx_insert_id(
                    db,
                    tx,
                    &mut Query::insert()
                        .into_table(V::Table)
                        .columns([
                            V::EggId,
                            V::Name,
                            V::Description,
                            V::EnvVariable,
                            V::DefaultValue,
                            V::UserViewable,
                            V::UserEditable,
                            V::Rules,
                            V::Sort,
                            V::CreatedAt,
                            V::UpdatedAt,
                        ])
                        .values_panic([
                            egg_id.into(),
                            v.name.clone().into(),
                            v.description.clone().into(),
                            v.env_variable.clone().into(),
                            v.default_value.clone().into(),
                            i64::from(v.user_viewable).into(),
                            i64::from(v.user_editable).into(),
                            v.rules.clone().into(),
                            v.sort.into(),
                            now.clone().into(),
                            now.clone().into(),
                        ])
                        .to_owned(),
                )
                .await?;
                kept.push(id);
            }
        }
    }
    let removed: Vec<i64> = existing
        .iter()
        .map(|(id, _)| *id)
        .filter(|id| !kept.contains(id))
        .collect();
    if !removed.is_empty() {
        tx_execute(
            db,
            tx,
            &Query::delete()
                .from_table(V::Table)
                .and_where(Expr::col(V::Id).is_in(removed))
                .to_owned(),
        )
        .await?;
    }
    Ok(())
}

impl EggRepo<'_> {
    /// Inserts an egg and its variables in one transaction. `uuid` is the egg's own (from a
    /// Pelican document) or `None` for a fresh one.
    pub async fn create(
        &self,
        nest_id: i64,
        uuid: Option<&str>,
        fields: &EggFields,
        vars: &[NewEggVariable],
    ) -> Result<Egg, DbError> {
        let now = crate::now();
        let mut cols = vec![E::Uuid, E::NestId];
        let mut values: Vec<SimpleExpr> = vec![
            uuid.map(str::to_owned)
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
                .into(),
            nest_id.into(),
        ];
        for (c, v) in field_values(fields) {
            cols.push(c);
            values.push(v);
        }
        cols.extend([E::CreatedAt, E::UpdatedAt]);
        values.extend([now.clone().into(), now.into()]);
        let mut stmt = Query::insert()
            .into_table(E::Table)
            .columns(cols)
            .values_panic(values)
            .to_owned();

        let mut tx = self.0.pool().begin().await?;
        let id = tx_insert_id(self.0, &mut tx, &mut stmt).await?;
        tx_replace_variables(self.0, &mut tx, id, vars).await?;
        tx.commit().await?;
        self.find(id)
            .await?
            .ok_or_else(|| DbError::Other("inserted egg vanished".into()))
    }

    /// Rewrites every field of egg `id` and replaces its variables, in one transaction;
    /// `None` when the egg does not exist. The UUID and nest stay as they are.
    pub async fn update(
        &self,
        id: i64,
        fields: &EggFields,
        vars: &[NewEggVariable],
    ) -> Result<Option<Egg>, DbError> {
        let mut q = Query::update();
        q.table(E::Table)
            .values(field_values(fields))
            .value(E::UpdatedAt, crate::now())
            .and_where(Expr::col(E::Id).eq(id));
        let mut tx = self.0.pool().begin().await?;
        if tx_execute(self.0, &mut tx, &q).await? == 0 {
            tx.rollback().await?;
            return Ok(None);
        }
        tx_replace_variables(self.0, &mut tx, id, vars).await?;
        tx.commit().await?;
        self.find(id).await
    }

    /// Replaces the egg's variables (see the module docs), in one transaction.
    pub async fn replace_variables(
        &self,
        egg_id: i64,
        vars: &[NewEggVariable],
    ) -> Result<Vec<EggVariable>, DbError> {
        let mut tx = self.0.pool().begin().await?;
        tx_replace_variables(self.0, &mut tx, egg_id, vars).await?;
        tx.commit().await?;
        self.variables(egg_id).await
    }

    async fn one(&self, cond: SimpleExpr) -> Result<Option<Egg>, DbError> {
        let q = select()
            .and_where(cond)
            .order_by(E::Id, Order::Asc)
            .limit(1)
            .to_owned();
        self.0
            .fetch_optional(&q)
            .await?
            .as_ref()
            .map(from_row)
            .transpose()
    }

    /// By id.
    pub async fn find(&self, id: i64) -> Result<Option<Egg>, DbError> {
        self.one(Expr::col(E::Id).eq(id)).await
    }

    /// By UUID.
    pub async fn find_by_uuid(&self, uuid: &str) -> Result<Option<Egg>, DbError> {
        self.one(Expr::col(E::Uuid).eq(uuid)).await
    }

    /// The first egg (lowest id) of the nest with exactly this name.
    pub async fn find_by_name(&self, nest_id: i64, name: &str) -> Result<Option<Egg>, DbError> {
        self.one(
            Expr::col(E::NestId)
                .eq(nest_id)
                .and(Expr::col(E::Name).eq(name)),
        )
        .await
    }

    /// Every egg, by id.
    pub async fn list(&self) -> Result<Vec<Egg>, DbError> {
        let q = select().order_by(E::Id, Order::Asc).to_owned();
        self.0.fetch_all(&q).await?.iter().map(from_row).collect()
    }

    /// The eggs of one nest, by id.
    pub async fn list_by_nest(&self, nest_id: i64) -> Result<Vec<Egg>, DbError> {
        self.list_by_nests(&[nest_id]).await
    }

    /// The eggs of any of these nests, by id.
    pub async fn list_by_nests(&self, nest_ids: &[i64]) -> Result<Vec<Egg>, DbError> {
        if nest_ids.is_empty() {
            return Ok(Vec::new());
        }
        let q = select()
            .and_where(Expr::col(E::NestId).is_in(nest_ids.iter().copied()))
            .order_by(E::Id, Order::Asc)
            .to_owned();
        self.0.fetch_all(&q).await?.iter().map(from_row).collect()
    }

    /// The egg's variables in display order (`sort`, then id).
    pub async fn variables(&self, egg_id: i64) -> Result<Vec<EggVariable>, DbError> {
        self.variables_of(&[egg_id]).await
    }

    /// The variables of any of these eggs, in display order within each egg.
    pub async fn variables_of(&self, egg_ids: &[i64]) -> Result<Vec<EggVariable>, DbError> {
        if egg_ids.is_empty() {
            return Ok(Vec::new());
        }
        let q = Query::select()
            .columns(VAR_COLS)
            .from(V::Table)
            .and_where(Expr::col(V::EggId).is_in(egg_ids.iter().copied()))
            .order_by(V::EggId, Order::Asc)
            .order_by(V::Sort, Order::Asc)
            .order_by(V::Id, Order::Asc)
            .to_owned();
        self.0
            .fetch_all(&q)
            .await?
            .iter()
            .map(var_from_row)
            .collect()
    }

    /// One variable by id.
    pub async fn variable(&self, id: i64) -> Result<Option<EggVariable>, DbError> {
        let q = Query::select()
            .columns(VAR_COLS)
            .from(V::Table)
            .and_where(Expr::col(V::Id).eq(id))
            .to_owned();
        self.0
            .fetch_optional(&q)
            .await?
            .as_ref()
            .map(var_from_row)
            .transpose()
    }

    /// How many servers are made from the egg.
    pub async fn server_count(&self, egg_id: i64) -> Result<i64, DbError> {
        let q = Query::select()
            .expr(Expr::col(S::Id).count())
            .from(S::Table)
            .and_where(Expr::col(S::EggId).eq(egg_id))
            .to_owned();
        self.0.count(&q).await
    }

    /// The servers made from any of these eggs, each with its egg id, in ascending id
    /// order (for `include=servers`).
    pub async fn servers_of(&self, egg_ids: &[i64]) -> Result<Vec<(i64, ServerSummary)>, DbError> {
        if egg_ids.is_empty() {
            return Ok(Vec::new());
        }
        let q = Query::select()
            .columns(SERVER_SUMMARY_COLS)
            .column(S::EggId)
            .from(S::Table)
            .and_where(Expr::col(S::EggId).is_in(egg_ids.iter().copied()))
            .order_by(S::Id, Order::Asc)
            .to_owned();
        self.0
            .fetch_all(&q)
            .await?
            .iter()
            .map(|r| Ok((get_i64(r, "egg_id")?, server_summary_from_row(r)?)))
            .collect()
    }

    /// Deletes an egg and its variables; fails with [`DbError::ForeignKey`] while servers
    /// use it.
    pub async fn delete(&self, id: i64) -> Result<bool, DbError> {
        let q = Query::delete()
            .from_table(E::Table)
            .and_where(Expr::col(E::Id).eq(id))
            .to_owned();
        Ok(self.0.execute(&q).await? > 0)
    }
}
