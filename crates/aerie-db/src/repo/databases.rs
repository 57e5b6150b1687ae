//! Database hosts and server databases: the panel's rows (`database_hosts`, `databases`)
//! and [`HostConnection`], the administrative session on a customer-facing MySQL/MariaDB
//! host where the actual databases and accounts are created.
//!
//! Passwords are stored exactly as given: the panel's service layer encrypts them before
//! they reach this module and decrypts them after, so nothing here sees a key.
//!
//! Statements run on a database host are text statements (DDL takes no placeholders), so
//! every identifier and literal is checked against a strict pattern here before it is
//! quoted; anything else is refused with [`DbError::Other`] before a byte is sent.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use sea_query::{Expr, OnConflict, Order, Query};
use sqlx::Connection;
use sqlx::any::AnyRow;

use super::partial_filter;
use super::{get_i64, get_opt_str, get_str};
use crate::migrations::{DatabaseHosts as H, Databases as D, Servers as S, Settings};
use crate::{Db, DbError};

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

const HOST_COLS: [H; 10] = [
    H::Id,
    H::Name,
    H::Host,
    H::Port,
    H::Username,
    H::Password,
    H::MaxDatabases,
    H::NodeId,
    H::CreatedAt,
    H::UpdatedAt,
];

const DB_COLS: [D; 10] = [
    D::Id,
    D::ServerId,
    D::DatabaseHostId,
    D::Database,
    D::Username,
    D::Remote,
    D::Password,
    D::MaxConnections,
    D::CreatedAt,
    D::UpdatedAt,
];

/// A MySQL/MariaDB server the panel creates customer databases on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseHost {
    /// Id.
    pub id: i64,
    /// Display name (unique).
    pub name: String,
    /// Address clients and the panel connect to.
    pub host: String,
    /// Port.
    pub port: i64,
    /// The administrative account the panel uses.
    pub username: String,
    /// That account's password, encrypted by the panel (`v1:...`).
    pub password: String,
    /// Most databases this host may hold; `None` for no limit.
    pub max_databases: Option<i64>,
    /// The node this host is linked to, if any.
    pub node_id: Option<i64>,
    /// Created.
    pub created_at: String,
    /// Updated.
    pub updated_at: String,
}

/// A database host to insert (the password already encrypted).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewDatabaseHost {
    /// Display name.
    pub name: String,
    /// Address.
    pub host: String,
    /// Port.
    pub port: i64,
    /// Administrative account.
    pub username: String,
    /// Its password, encrypted.
    pub password: String,
    /// Database limit; `None` for none.
    pub max_databases: Option<i64>,
    /// Linked node.
    pub node_id: Option<i64>,
}

/// Changes to a database host; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DatabaseHostChanges {
    /// New name.
    pub name: Option<String>,
    /// New address.
    pub host: Option<String>,
    /// New port.
    pub port: Option<i64>,
    /// New administrative account.
    pub username: Option<String>,
    /// New password, encrypted.
    pub password: Option<String>,
    /// New database limit (`Some(None)` removes it).
    pub max_databases: Option<Option<i64>>,
    /// New linked node (`Some(None)` unlinks).
    pub node_id: Option<Option<i64>>,
}

/// One page of the database host list.
#[derive(Debug, Clone, Default)]
pub struct DatabaseHostListQuery {
    /// `filter[name]`: partial, case-insensitive.
    pub name: Option<String>,
    /// `filter[host]`: partial, case-insensitive.
    pub host: Option<String>,
    /// Sort column: `id` (default) or `name`.
    pub sort_by_name: bool,
    /// Descending order.
    pub descending: bool,
    /// Rows to skip.
    pub offset: u64,
    /// Rows to return.
    pub limit: u64,
}

/// A customer database of a server, on a database host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Database {
    /// Id.
    pub id: i64,
    /// Owning server.
    pub server_id: i64,
    /// The host it lives on.
    pub database_host_id: i64,
    /// The database's name on the host (`s{server}_{name}`).
    pub database: String,
    /// The account created for it (`u{server}_{random}`).
    pub username: String,
    /// Where that account may connect from (`%`, `10.0.0.%`, ...).
    pub remote: String,
    /// The account's password, encrypted by the panel (`v1:...`).
    pub password: String,
    /// `MAX_USER_CONNECTIONS` of the account; `None` for the host default.
    pub max_connections: Option<i64>,
    /// Created.
    pub created_at: String,
    /// Updated.
    pub updated_at: String,
}

/// A server database to insert (the password already encrypted).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewDatabase {
    /// Owning server.
    pub server_id: i64,
    /// Host.
    pub database_host_id: i64,
    /// Name on the host.
    pub database: String,
    /// Account name.
    pub username: String,
    /// Allowed remote pattern.
    pub remote: String,
    /// Encrypted password.
    pub password: String,
    /// Connection limit.
    pub max_connections: Option<i64>,
}

/// What the database rules need to know about a server (read from `servers`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerDatabaseInfo {
    /// The server.
    pub id: i64,
    /// Its node.
    pub node_id: i64,
    /// `database_limit` (0 means none allowed through the client API).
    pub database_limit: i64,
}

fn host_from_row(r: &AnyRow) -> Result<DatabaseHost, DbError> {
    Ok(DatabaseHost {
        id: get_i64(r, "id")?,
        name: get_str(r, "name")?,
        host: get_str(r, "host")?,
        port: get_i64(r, "port")?,
        username: get_str(r, "username")?,
        password: get_str(r, "password")?,
        max_databases: get_opt_i64(r, "max_databases")?,
        node_id: get_opt_i64(r, "node_id")?,
        created_at: get_str(r, "created_at")?,
        updated_at: get_str(r, "updated_at")?,
    })
}

fn db_from_row(r: &AnyRow) -> Result<Database, DbError> {
    Ok(Database {
        id: get_i64(r, "id")?,
        server_id: get_i64(r, "server_id")?,
        database_host_id: get_i64(r, "database_host_id")?,
        database: get_str(r, "database")?,
        username: get_str(r, "username")?,
        remote: get_str(r, "remote")?,
        password: get_str(r, "password")?,
        max_connections: get_opt_i64(r, "max_connections")?,
        created_at: get_str(r, "created_at")?,
        updated_at: get_str(r, "updated_at")?,
    })
}

fn get_opt_i64(r: &AnyRow, col: &str) -> Result<Option<i64>, DbError> {
    use sqlx::Row;
    Ok(r.try_get::<Option<i64>, _>(col)?)
}

/// The database hosts and server databases repository.
pub struct DatabaseRepo<'a>(&'a Db);

impl Db {
    /// Database hosts and server databases.
    pub fn databases(&self) -> DatabaseRepo<'_> {
        DatabaseRepo(self)
    }
}

impl DatabaseRepo<'_> {
    // ---- hosts ----

    /// Inserts a database host.
    pub async fn create_host(&self, h: &NewDatabaseHost) -> Result<DatabaseHost, DbError> {
        let now = crate::now();
        let mut stmt = Query::insert()
            .into_table(H::Table)
            .columns([
                H::Name,
                H::Host,
                H::Port,
                H::Username,
                H::Password,
                H::MaxDatabases,
                H::NodeId,
                H::CreatedAt,
                H::UpdatedAt,
            ])
            .values_panic([
                h.name.clone().into(),
                h.host.clone().into(),
                h.port.into(),
                h.username.clone().into(),
                h.password.clone().into(),
                h.max_databases.into(),
                h.node_id.into(),
                now.clone().into(),
                now.into(),
            ])
            .to_owned();
        let id = self.0.insert_id(&mut stmt).await?;
        self.find_host(id)
            .await?
            .ok_or_else(|| DbError::Other("inserted database host vanished".into()))
    }

    /// A host by id.
    pub async fn find_host(&self, id: i64) -> Result<Option<DatabaseHost>, DbError> {
        let q = Query::select()
            .columns(HOST_COLS)
            .from(H::Table)
            .and_where(Expr::col(H::Id).eq(id))
            .to_owned();
        self.0
            .fetch_optional(&q)
            .await?
            .as_ref()
            .map(host_from_row)
            .transpose()
    }

    /// A host by its (unique) name.
    pub async fn find_host_by_name(&self, name: &str) -> Result<Option<DatabaseHost>, DbError> {
        let q = Query::select()
            .columns(HOST_COLS)
            .from(H::Table)
            .and_where(Expr::col(H::Name).eq(name))
            .to_owned();
        self.0
            .fetch_optional(&q)
            .await?
            .as_ref()
            .map(host_from_row)
            .transpose()
    }

    /// Every host, by id.
    pub async fn list_hosts(&self) -> Result<Vec<DatabaseHost>, DbError> {
        let q = Query::select()
            .columns(HOST_COLS)
            .from(H::Table)
            .order_by(H::Id, Order::Asc)
            .to_owned();
        self.0
            .fetch_all(&q)
            .await?
            .iter()
            .map(host_from_row)
            .collect()
    }

    /// A filtered, sorted page of hosts and the number matching the filters.
    pub async fn search_hosts(
        &self,
        query: &DatabaseHostListQuery,
    ) -> Result<(Vec<DatabaseHost>, i64), DbError> {
        let mut base = Query::select();
        base.from(H::Table);
        partial_filter(&mut base, H::Name, query.name.as_deref());
        partial_filter(&mut base, H::Host, query.host.as_deref());

        let mut count = base.clone();
        count.expr(Expr::col(H::Id).count());
        let total = self.0.count(&count).await?;

        let order = if query.descending {
            Order::Desc
        } else {
            Order::Asc
        };
        let mut page = base;
        page.columns(HOST_COLS);
        if query.sort_by_name {
            page.order_by(H::Name, order.clone());
        }
        page.order_by(H::Id, order)
            .limit(query.limit)
            .offset(query.offset);
        let rows = self.0.fetch_all(&page).await?;
        Ok((
            rows.iter().map(host_from_row).collect::<Result<_, _>>()?,
            total,
        ))
    }

    /// Updates the fields given; `None` when the host does not exist.
    pub async fn update_host(
        &self,
        id: i64,
        c: &DatabaseHostChanges,
    ) -> Result<Option<DatabaseHost>, DbError> {
        let mut q = Query::update();
        q.table(H::Table)
            .value(H::UpdatedAt, crate::now())
            .and_where(Expr::col(H::Id).eq(id));
        if let Some(v) = &c.name {
            q.value(H::Name, v.clone());
        }
        if let Some(v) = &c.host {
            q.value(H::Host, v.clone());
        }
        if let Some(v) = c.port {
            q.value(H::Port, v);
        }
        if let Some(v) = &c.username {
            q.value(H::Username, v.clone());
        }
        if let Some(v) = &c.password {
            q.value(H::Password, v.clone());
        }
        if let Some(v) = c.max_databases {
            q.value(H::MaxDatabases, v);
        }
        if let Some(v) = c.node_id {
            q.value(H::NodeId, v);
        }
        if self.0.execute(&q).await? == 0 {
            return Ok(None);
        }
        self.find_host(id).await
    }

    /// Deletes a host; fails with [`DbError::ForeignKey`] while databases use it.
    pub async fn delete_host(&self, id: i64) -> Result<bool, DbError> {
        let q = Query::delete()
            .from_table(H::Table)
            .and_where(Expr::col(H::Id).eq(id))
            .to_owned();
        Ok(self.0.execute(&q).await? > 0)
    }

    /// Number of databases on a host.
    pub async fn count_for_host(&self, host_id: i64) -> Result<i64, DbError> {
        self.0
            .count(
                &Query::select()
                    .expr(Expr::col(D::Id).count())
                    .from(D::Table)
                    .and_where(Expr::col(D::DatabaseHostId).eq(host_id))
                    .to_owned(),
            )
            .await
    }

    // ---- databases ----

    /// Inserts a server database row. The pair (host, database name) is unique: a clash is
    /// [`DbError::Unique`].
    pub async fn create(&self, d: &NewDatabase) -> Result<Database, DbError> {
        let now = crate::now();
        let mut stmt = Query::insert()
            .into_table(D::Table)
            .columns([
                D::ServerId,
                D::DatabaseHostId,
                D::Database,
                D::Username,
                D::Remote,
                D::Password,
                D::MaxConnections,
                D::CreatedAt,
                D::UpdatedAt,
            ])
            .values_panic([
                d.server_id.into(),
                d.database_host_id.into(),
                d.database.clone().into(),
                d.username.clone().into(),
                d.remote.clone().into(),
                d.password.clone().into(),
                d.max_connections.into(),
                now.clone().into(),
                now.into(),
            ])
            .to_owned();
        let id = self.0.insert_id(&mut stmt).await?;
        self.find(id)
            .await?
            .ok_or_else(|| DbError::Other("inserted database vanished".into()))
    }

    /// A database by id.
    pub async fn find(&self, id: i64) -> Result<Option<Database>, DbError> {
        let q = Query::select()
            .columns(DB_COLS)
            .from(D::Table)
            .and_where(Expr::col(D::Id).eq(id))
            .to_owned();
        self.0
            .fetch_optional(&q)
            .await?
            .as_ref()
            .map(db_from_row)
            .transpose()
    }

    /// A database by id, only when it belongs to `server_id`.
    pub async fn find_for_server(
        &self,
        server_id: i64,
        id: i64,
    ) -> Result<Option<Database>, DbError> {
        let q = Query::select()
            .columns(DB_COLS)
            .from(D::Table)
            .and_where(Expr::col(D::Id).eq(id))
            .and_where(Expr::col(D::ServerId).eq(server_id))
            .to_owned();
        self.0
            .fetch_optional(&q)
            .await?
            .as_ref()
            .map(db_from_row)
            .transpose()
    }

    /// Whether a database of this name exists on the host.
    pub async fn exists_on_host(&self, host_id: i64, database: &str) -> Result<bool, DbError> {
        let n = self
            .0
            .count(
                &Query::select()
                    .expr(Expr::col(D::Id).count())
                    .from(D::Table)
                    .and_where(Expr::col(D::DatabaseHostId).eq(host_id))
                    .and_where(Expr::col(D::Database).eq(database))
                    .to_owned(),
            )
            .await?;
        Ok(n > 0)
    }

    /// A server's databases, by id.
    pub async fn list_for_server(&self, server_id: i64) -> Result<Vec<Database>, DbError> {
        let q = Query::select()
            .columns(DB_COLS)
            .from(D::Table)
            .and_where(Expr::col(D::ServerId).eq(server_id))
            .order_by(D::Id, Order::Asc)
            .to_owned();
        self.0
            .fetch_all(&q)
            .await?
            .iter()
            .map(db_from_row)
            .collect()
    }

    /// The databases on a host, by id.
    pub async fn list_for_host(&self, host_id: i64) -> Result<Vec<Database>, DbError> {
        let q = Query::select()
            .columns(DB_COLS)
            .from(D::Table)
            .and_where(Expr::col(D::DatabaseHostId).eq(host_id))
            .order_by(D::Id, Order::Asc)
            .to_owned();
        self.0
            .fetch_all(&q)
            .await?
            .iter()
            .map(db_from_row)
            .collect()
    }

    /// Number of databases of a server.
    pub async fn count_for_server(&self, server_id: i64) -> Result<i64, DbError> {
        self.0
            .count(
                &Query::select()
                    .expr(Expr::col(D::Id).count())
                    .from(D::Table)
                    .and_where(Expr::col(D::ServerId).eq(server_id))
                    .to_owned(),
            )
            .await
    }

    /// Replaces a database's (encrypted) password.
    pub async fn set_password(&self, id: i64, password: &str) -> Result<Option<Database>, DbError> {
        let q = Query::update()
            .table(D::Table)
            .value(D::Password, password)
            .value(D::UpdatedAt, crate::now())
            .and_where(Expr::col(D::Id).eq(id))
            .to_owned();
        if self.0.execute(&q).await? == 0 {
            return Ok(None);
        }
        self.find(id).await
    }

    /// Deletes a database row.
    pub async fn delete(&self, id: i64) -> Result<bool, DbError> {
        let q = Query::delete()
            .from_table(D::Table)
            .and_where(Expr::col(D::Id).eq(id))
            .to_owned();
        Ok(self.0.execute(&q).await? > 0)
    }

    // ---- reads of tables owned elsewhere ----

    /// The server's id, node and `database_limit`; `None` when there is no such server.
    pub async fn server_info(&self, server_id: i64) -> Result<Option<ServerDatabaseInfo>, DbError> {
        let q = Query::select()
            .columns([S::Id, S::NodeId, S::DatabaseLimit])
            .from(S::Table)
            .and_where(Expr::col(S::Id).eq(server_id))
            .to_owned();
        match self.0.fetch_optional(&q).await? {
            None => Ok(None),
            Some(r) => Ok(Some(ServerDatabaseInfo {
                id: get_i64(&r, "id")?,
                node_id: get_i64(&r, "node_id")?,
                database_limit: get_i64(&r, "database_limit")?,
            })),
        }
    }

    /// Stores `value` under the settings key `key` unless the key already has a value, and
    /// returns the value that is stored afterwards. Concurrent callers all get the same
    /// value (the first insert wins), which a plain upsert would not guarantee.
    pub async fn setting_or_insert(&self, key: &str, value: &str) -> Result<String, DbError> {
        let q = Query::insert()
            .into_table(Settings::Table)
            .columns([Settings::Key, Settings::Value])
            .values_panic([key.into(), value.into()])
            .on_conflict(
                OnConflict::column(Settings::Key)
                    .do_nothing_on([Settings::Key])
                    .to_owned(),
            )
            .to_owned();
        self.0.execute(&q).await?;
        let q = Query::select()
            .column(Settings::Value)
            .from(Settings::Table)
            .and_where(Expr::col(Settings::Key).eq(key))
            .to_owned();
        match self.0.fetch_optional(&q).await? {
            Some(r) => get_opt_str(&r, "value")?
                .ok_or_else(|| DbError::Decode(format!("setting {key} is NULL"))),
            None => Err(DbError::Other(format!("setting {key} vanished"))),
        }
    }
}

// ---- the administrative session on a database host ----

/// Where and as whom to connect to a database host.
#[derive(Clone, Copy)]
pub struct HostCredentials<'a> {
    /// Address.
    pub host: &'a str,
    /// Port.
    pub port: u16,
    /// Administrative account.
    pub username: &'a str,
    /// Its password (plain; only ever sent to the host).
    pub password: &'a str,
}

impl std::fmt::Debug for HostCredentials<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostCredentials")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("password", &"[redacted]")
            .finish()
    }
}

/// The privileges a server database's account gets on its database, as Pterodactyl grants
/// them.
pub const DATABASE_PRIVILEGES: &str = "SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, \
     INDEX, LOCK TABLES, CREATE TEMPORARY TABLES, EXECUTE, CREATE VIEW, SHOW VIEW, \
     CREATE ROUTINE, ALTER ROUTINE, EVENT, TRIGGER, REFERENCES";

/// One administrative connection to a MySQL/MariaDB database host.
///
/// Statement logging is off for this connection: `CREATE USER` and `ALTER USER` carry
/// passwords.
pub struct HostConnection {
    conn: sqlx::mysql::MySqlConnection,
}

impl std::fmt::Debug for HostConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HostConnection")
    }
}

impl HostConnection {
    /// Connects (and authenticates) within `timeout`, then runs `SELECT 1`.
    ///
    /// # Errors
    /// [`DbError::Connect`] with the driver's message (which never holds the password).
    pub async fn connect(c: &HostCredentials<'_>, timeout: Duration) -> Result<Self, DbError> {
        use sqlx::ConnectOptions;
        let opts = sqlx::mysql::MySqlConnectOptions::new()
            .host(c.host)
            .port(c.port)
            .username(c.username)
            .password(c.password)
            .disable_statement_logging();
        let connect_err = |message: String| DbError::Connect {
            backend: "mysql",
            message,
        };
        let conn = tokio::time::timeout(timeout, opts.connect())
            .await
            .map_err(|_| connect_err(format!("timed out after {}s", timeout.as_secs())))?
            .map_err(|e| connect_err(e.to_string()))?;
        let mut this = Self { conn };
        this.run("SELECT 1")
            .await
            .map_err(|e| connect_err(e.to_string()))?;
        Ok(this)
    }

    /// Runs one text statement. Boxed with the concrete connection type so the future is
    /// provably `Send` (the generic `Executor` bound otherwise trips rustc's higher-ranked
    /// lifetime inference in callers).
    fn run<'a>(&'a mut self, sql: &'a str) -> BoxFuture<'a, Result<(), DbError>> {
        Box::pin(async move {
            // A `&str` without arguments goes over MySQL's text protocol (COM_QUERY): DDL
            // such as CREATE USER cannot be prepared.
            sqlx::Executor::execute(&mut self.conn, sql).await?;
            Ok(())
        })
    }

    /// `CREATE DATABASE` (fails when it exists).
    ///
    /// # Errors
    /// A name that is not a plain identifier, or the host's error.
    pub async fn create_database(&mut self, database: &str) -> Result<(), DbError> {
        let sql = format!("CREATE DATABASE {}", quote_database(database)?);
        self.run(&sql).await
    }

    /// `DROP DATABASE IF EXISTS`.
    ///
    /// # Errors
    /// A name that is not a plain identifier, or the host's error.
    pub async fn drop_database(&mut self, database: &str) -> Result<(), DbError> {
        let sql = format!("DROP DATABASE IF EXISTS {}", quote_database(database)?);
        self.run(&sql).await
    }

    /// `CREATE USER 'user'@'remote' IDENTIFIED BY '...'`, with `WITH MAX_USER_CONNECTIONS`
    /// when `max_connections` is set (fails when the account exists).
    ///
    /// # Errors
    /// An invalid name, remote or password, or the host's error.
    pub async fn create_user(
        &mut self,
        username: &str,
        remote: &str,
        password: &str,
        max_connections: Option<i64>,
    ) -> Result<(), DbError> {
        let mut sql = format!(
            "CREATE USER {} IDENTIFIED BY {}",
            account(username, remote)?,
            password_literal(password)?
        );
        if let Some(n) = max_connections {
            let n = u32::try_from(n)
                .map_err(|_| DbError::Other("max_connections is out of range".into()))?;
            sql.push_str(&format!(" WITH MAX_USER_CONNECTIONS {n}"));
        }
        self.run(&sql).await
    }

    /// `ALTER USER 'user'@'remote' IDENTIFIED BY '...'`.
    ///
    /// # Errors
    /// An invalid name, remote or password, or the host's error.
    pub async fn set_password(
        &mut self,
        username: &str,
        remote: &str,
        password: &str,
    ) -> Result<(), DbError> {
        let sql = format!(
            "ALTER USER {} IDENTIFIED BY {}",
            account(username, remote)?,
            password_literal(password)?
        );
        self.run(&sql).await
    }

    /// `DROP USER IF EXISTS 'user'@'remote'`.
    ///
    /// # Errors
    /// An invalid name or remote, or the host's error.
    pub async fn drop_user(&mut self, username: &str, remote: &str) -> Result<(), DbError> {
        let sql = format!("DROP USER IF EXISTS {}", account(username, remote)?);
        self.run(&sql).await
    }

    /// Grants [`DATABASE_PRIVILEGES`] on every table of `database` to the account.
    ///
    /// `_` and `%` are wildcards in a database-level grant, so they are escaped: otherwise
    /// the grant for `s1__ab` would also match server 12's `s12_ab`. On MySQL with
    /// `partial_revokes` on, the server treats them literally and they are left alone.
    ///
    /// # Errors
    /// An invalid name or remote, or the host's error.
    pub async fn grant(
        &mut self,
        database: &str,
        username: &str,
        remote: &str,
    ) -> Result<(), DbError> {
        check_database_name(database)?;
        let pattern = if self.wildcards_are_literal().await {
            database.to_owned()
        } else {
            database.replace('_', "\\_")
        };
        let sql = format!(
            "GRANT {DATABASE_PRIVILEGES} ON `{pattern}`.* TO {}",
            account(username, remote)?
        );
        self.run(&sql).await
    }

    /// `FLUSH PRIVILEGES`.
    ///
    /// # Errors
    /// The host's error.
    pub async fn flush(&mut self) -> Result<(), DbError> {
        self.run("FLUSH PRIVILEGES").await
    }

    /// Closes the session.
    pub async fn close(self) {
        let _ = self.conn.close().await;
    }

    /// `@@GLOBAL.partial_revokes` (MySQL 8.0.16+); MariaDB and older MySQL lack it.
    fn wildcards_are_literal(&mut self) -> BoxFuture<'_, bool> {
        use sqlx::Row;
        Box::pin(async move {
            match sqlx::Executor::fetch_optional(&mut self.conn, "SELECT @@GLOBAL.partial_revokes")
                .await
            {
                Ok(Some(row)) => row
                    .try_get::<i64, _>(0)
                    .map(|v| v != 0)
                    .or_else(|_| row.try_get::<bool, _>(0))
                    .unwrap_or(false),
                _ => false,
            }
        })
    }
}

/// Whether `name` is a database name Aerie creates and quotes: 1 to 64 ASCII letters,
/// digits, `_` and `-`.
pub fn is_valid_database_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Whether `name` is an account name Aerie creates: 1 to 32 ASCII letters, digits and `_`.
pub fn is_valid_account_name(name: &str) -> bool {
    (1..=32).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Whether `remote` is an allowed connection pattern (`^[0-9%.]{1,15}$`).
pub fn is_valid_remote(remote: &str) -> bool {
    (1..=15).contains(&remote.len())
        && remote
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'%' || b == b'.')
}

fn check_database_name(name: &str) -> Result<(), DbError> {
    if is_valid_database_name(name) {
        Ok(())
    } else {
        Err(DbError::Other("refusing an unsafe database name".into()))
    }
}

fn quote_database(name: &str) -> Result<String, DbError> {
    check_database_name(name)?;
    Ok(format!("`{name}`"))
}

fn account(username: &str, remote: &str) -> Result<String, DbError> {
    if !is_valid_account_name(username) {
        return Err(DbError::Other("refusing an unsafe account name".into()));
    }
    if !is_valid_remote(remote) {
        return Err(DbError::Other("refusing an unsafe remote pattern".into()));
    }
    Ok(format!("'{username}'@'{remote}'"))
}

/// A password as a string literal. Only printable ASCII without `'` and `\` is accepted,
/// so the literal means the same whatever the host's `NO_BACKSLASH_ESCAPES` setting.
fn password_literal(password: &str) -> Result<String, DbError> {
    let ok = !password.is_empty()
        && password.len() <= 128
        && password
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'\'' && b != b'\\');
    if !ok {
        return Err(DbError::Other("refusing an unsafe password".into()));
    }
    Ok(format!("'{password}'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_checked_before_quoting() {
        assert_eq!(quote_database("s1_my-db").unwrap(), "`s1_my-db`");
        assert!(quote_database("s1`; DROP DATABASE x; --").is_err());
        assert!(quote_database("").is_err());
        assert!(quote_database(&"a".repeat(65)).is_err());
        assert_eq!(account("u1_abc", "%").unwrap(), "'u1_abc'@'%'");
        assert!(account("u1'x", "%").is_err());
        assert!(account("u1", "%' OR 1").is_err());
        assert!(account("u1", "1234567890123456").is_err());
        assert_eq!(password_literal("aB3-_.~").unwrap(), "'aB3-_.~'");
        assert!(password_literal("a'b").is_err());
        assert!(password_literal("a\\b").is_err());
        assert!(password_literal("a b").is_err());
        assert!(password_literal("").is_err());
    }

    #[test]
    fn credentials_debug_hides_the_password() {
        let c = HostCredentials {
            host: "db",
            port: 3306,
            username: "root",
            password: "hunter2",
        };
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
