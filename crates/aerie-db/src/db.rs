//! The connection handle and the small execution layer every repository uses.

use std::time::Duration;

use sea_query::{
    MysqlQueryBuilder, PostgresQueryBuilder, QueryStatementWriter, SqliteQueryBuilder, Value,
    Values,
};
use sqlx::any::{AnyArguments, AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, query::Query};

use crate::DbError;

/// Which database engine is connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite (the default), in WAL mode.
    Sqlite,
    /// PostgreSQL.
    Postgres,
    /// MySQL or MariaDB.
    MySql,
}

impl Backend {
    /// Picks the backend from a URL's scheme.
    pub fn from_url(url: &str) -> Result<Self, DbError> {
        match url.split_once("://").map(|(s, _)| s) {
            Some("sqlite") => Ok(Backend::Sqlite),
            Some("postgres" | "postgresql") => Ok(Backend::Postgres),
            Some("mysql" | "mariadb") => Ok(Backend::MySql),
            _ => Err(DbError::Url(
                "expected sqlite://, postgres:// or mysql://".into(),
            )),
        }
    }

    /// Lower-case name, for health reports and logs.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
            Backend::MySql => "mysql",
        }
    }
}

/// A pool of connections to one database. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

impl Db {
    /// Connects to `url`. SQLite files (and their directory) are created when missing.
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let mut url =
            url.replacen("mariadb://", "mysql://", 1)
                .replacen("postgresql://", "postgres://", 1);
        if backend == Backend::Sqlite {
            let path = url
                .trim_start_matches("sqlite://")
                .split('?')
                .next()
                .unwrap_or_default()
                .to_owned();
            if path != ":memory:"
                && let Some(dir) = std::path::Path::new(&path)
                    .parent()
                    .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir).map_err(|e| DbError::Connect {
                    backend: "sqlite",
                    message: format!("cannot create {}: {e}", dir.display()),
                })?;
            }
            if !url.contains("mode=") {
                url.push_str(if url.contains('?') {
                    "&mode=rwc"
                } else {
                    "?mode=rwc"
                });
            }
        }
        let opts = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    match backend {
                        Backend::Sqlite => {
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                            conn.execute("PRAGMA foreign_keys = ON").await?;
                            conn.execute("PRAGMA busy_timeout = 5000").await?;
                            conn.execute("PRAGMA synchronous = NORMAL").await?;
                        }
                        Backend::MySql => {
                            conn.execute(
                                "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION'",
                            )
                            .await?;
                        }
                        Backend::Postgres => {}
                    }
                    Ok(())
                })
            });
        // One direct connection first: the pool retries until its timeout and then reports
        // only "timed out", while a single attempt says what is actually wrong.
        {
            use sqlx::Connection;
            let conn =
                tokio::time::timeout(Duration::from_secs(10), sqlx::AnyConnection::connect(&url))
                    .await
                    .map_err(|_| DbError::Connect {
                        backend: backend.name(),
                        message: "timed out after 10s".into(),
                    })?
                    .map_err(|e| DbError::Connect {
                        backend: backend.name(),
                        message: redact(&e.to_string()),
                    })?;
            let _ = conn.close().await;
        }
        let pool = opts.connect(&url).await.map_err(|e| DbError::Connect {
            backend: backend.name(),
            message: redact(&e.to_string()),
        })?;
        Ok(Self { pool, backend })
    }

    /// The connected backend.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A round trip to the database.
    pub async fn ping(&self) -> Result<(), DbError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Runs one raw administrative statement (CREATE/DROP DATABASE in test harnesses).
    /// Never pass user input here.
    pub async fn raw_execute(&self, sql: &str) -> Result<(), DbError> {
        self.pool.execute(sql).await?;
        Ok(())
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Renders a statement in this backend's dialect.
    pub(crate) fn build<S: QueryStatementWriter>(&self, stmt: &S) -> (String, Values) {
        match self.backend {
            Backend::Sqlite => stmt.build(SqliteQueryBuilder),
            Backend::Postgres => stmt.build(PostgresQueryBuilder),
            Backend::MySql => stmt.build(MysqlQueryBuilder),
        }
    }

    /// Runs a statement, returning the number of rows it touched.
    pub(crate) async fn execute<S: QueryStatementWriter>(&self, stmt: &S) -> Result<u64, DbError> {
        let (sql, values) = self.build(stmt);
        Ok(bind(sqlx::query(&sql), values)
            .execute(&self.pool)
            .await?
            .rows_affected())
    }

    /// Runs a query, returning every row.
    pub(crate) async fn fetch_all<S: QueryStatementWriter>(
        &self,
        stmt: &S,
    ) -> Result<Vec<AnyRow>, DbError> {
        let (sql, values) = self.build(stmt);
        Ok(bind(sqlx::query(&sql), values)
            .fetch_all(&self.pool)
            .await?)
    }

    /// Runs a query, returning the first row if any.
    pub(crate) async fn fetch_optional<S: QueryStatementWriter>(
        &self,
        stmt: &S,
    ) -> Result<Option<AnyRow>, DbError> {
        let (sql, values) = self.build(stmt);
        Ok(bind(sqlx::query(&sql), values)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Runs an INSERT and returns the new row's `id`, however the backend reports it.
    pub(crate) async fn insert_id(
        &self,
        stmt: &mut sea_query::InsertStatement,
    ) -> Result<i64, DbError> {
        use sqlx::Row;
        if self.backend != Backend::MySql {
            stmt.returning_col(sea_query::Alias::new("id"));
            let (sql, values) = self.build(&*stmt);
            let row = bind(sqlx::query(&sql), values)
                .fetch_one(&self.pool)
                .await?;
            return Ok(row.try_get::<i64, _>(0)?);
        }
        let (sql, values) = self.build(&*stmt);
        let res = bind(sqlx::query(&sql), values).execute(&self.pool).await?;
        res.last_insert_id()
            .ok_or_else(|| DbError::Other("the database did not report the new row's id".into()))
    }

    /// Counts rows of a `SELECT COUNT(*)` statement.
    pub(crate) async fn count(&self, stmt: &sea_query::SelectStatement) -> Result<i64, DbError> {
        use sqlx::Row;
        let (sql, values) = self.build(stmt);
        let row = bind(sqlx::query(&sql), values)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>(0)?)
    }
}

/// Binds sea-query values to an `Any` query. Every integer goes in as `i64` and booleans as
/// 0/1, matching the `BIGINT` columns the migrations create.
pub(crate) fn bind<'q>(
    mut q: Query<'q, sqlx::Any, AnyArguments<'q>>,
    values: Values,
) -> Query<'q, sqlx::Any, AnyArguments<'q>> {
    for v in values.0 {
        q = match v {
            Value::Bool(b) => q.bind(b.map(i64::from)),
            Value::TinyInt(i) => q.bind(i.map(i64::from)),
            Value::SmallInt(i) => q.bind(i.map(i64::from)),
            Value::Int(i) => q.bind(i.map(i64::from)),
            Value::BigInt(i) => q.bind(i),
            Value::TinyUnsigned(i) => q.bind(i.map(i64::from)),
            Value::SmallUnsigned(i) => q.bind(i.map(i64::from)),
            Value::Unsigned(i) => q.bind(i.map(i64::from)),
            Value::BigUnsigned(i) => q.bind(i.map(|u| i64::try_from(u).unwrap_or(i64::MAX))),
            Value::Float(f) => q.bind(f.map(f64::from)),
            Value::Double(f) => q.bind(f),
            Value::String(s) => q.bind(s.map(|s| *s)),
            Value::Char(c) => q.bind(c.map(|c| c.to_string())),
            Value::Bytes(b) => q.bind(b.map(|b| *b)),
        };
    }
    q
}

/// Removes the password from anything that looks like a URL in a driver message.
fn redact(msg: &str) -> String {
    msg.split_whitespace()
        .map(|w| match (w.find("://"), w.find('@')) {
            (Some(s), Some(at)) if at > s => format!("{}://[redacted]{}", &w[..s], &w[at..]),
            _ => w.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}
