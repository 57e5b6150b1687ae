//! Mounts and their egg/node/server links.
//!
//! A mount is a host directory that wings bind-mounts into a server's container. It is
//! linked to eggs and nodes (where it may be used) and attached to servers (where it is
//! used); [`MountRepo::for_server`] answers which mounts actually apply to a server: attached
//! to it *and* linked to its current node and egg. Deleting a mount removes its links (the
//! link tables cascade).

use sea_query::{Expr, Order, Query, SelectStatement};
use sqlx::any::AnyRow;

use super::partial_filter;
use super::{get_bool, get_i64, get_opt_str, get_str};
use crate::migrations::{
    EggMount as EM, Eggs as E, MountNode as MN, MountServer as MS, Mounts as M, Nodes as N,
    Servers as S,
};
use crate::models::{Mount, MountPatch, NewMount};
use crate::{Db, DbError};

const COLS: [M; 8] = [
    M::Id,
    M::Uuid,
    M::Name,
    M::Description,
    M::Source,
    M::Target,
    M::ReadOnly,
    M::UserMountable,
];

fn from_row(r: &AnyRow) -> Result<Mount, DbError> {
    Ok(Mount {
        id: get_i64(r, "id")?,
        uuid: get_str(r, "uuid")?,
        name: get_str(r, "name")?,
        description: get_opt_str(r, "description")?,
        source: get_str(r, "source")?,
        target: get_str(r, "target")?,
        read_only: get_bool(r, "read_only")?,
        user_mountable: get_bool(r, "user_mountable")?,
    })
}

/// What a mount can be linked to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MountLink {
    /// `egg_mount`: the eggs a mount may be used with.
    Egg,
    /// `mount_node`: the nodes a mount exists on.
    Node,
    /// `mount_server`: the servers using a mount.
    Server,
}

/// The application API's `filter[...]` values for mounts: partial, case-insensitive
/// matches (a comma-separated value matches any of its parts).
#[derive(Debug, Clone, Default)]
pub struct MountFilter {
    /// `filter[uuid]`.
    pub uuid: Option<String>,
    /// `filter[name]`.
    pub name: Option<String>,
    /// `filter[source]`.
    pub source: Option<String>,
    /// `filter[target]`.
    pub target: Option<String>,
}

/// The column a mount list is ordered by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MountSort {
    /// By id (the default).
    #[default]
    Id,
    /// By UUID.
    Uuid,
    /// By name.
    Name,
}

/// One page of a filtered mount list.
#[derive(Debug, Clone, Default)]
pub struct MountListQuery {
    /// Filters, all of which must match.
    pub filter: MountFilter,
    /// Order column.
    pub sort: MountSort,
    /// Descending order.
    pub desc: bool,
    /// Rows to skip.
    pub offset: u64,
    /// Rows to return.
    pub limit: u64,
}

/// The mounts repository.
pub struct MountRepo<'a>(&'a Db);

impl Db {
    /// Mounts.
    pub fn mounts(&self) -> MountRepo<'_> {
        MountRepo(self)
    }
}

impl MountRepo<'_> {
    /// Inserts a mount.
    pub async fn create(&self, m: &NewMount) -> Result<Mount, DbError> {
        let mut stmt = Query::insert()
            .into_table(M::Table)
            .columns([
                M::Uuid,
                M::Name,
                M::Description,
                M::Source,
                M::Target,
                M::ReadOnly,
                M::UserMountable,
            ])
            .values_panic([
                m.uuid.clone().into(),
                m.name.clone().into(),
                m.description.clone().into(),
                m.source.clone().into(),
                m.target.clone().into(),
                i64::from(m.read_only).into(),
                i64::from(m.user_mountable).into(),
            ])
            .to_owned();
        let id = self.0.insert_id(&mut stmt).await?;
        self.find(id)
            .await?
            .ok_or_else(|| DbError::Other("inserted mount vanished".into()))
    }

    async fn one(&self, q: &SelectStatement) -> Result<Option<Mount>, DbError> {
        self.0
            .fetch_optional(q)
            .await?
            .as_ref()
            .map(from_row)
            .transpose()
    }

    /// By id.
    pub async fn find(&self, id: i64) -> Result<Option<Mount>, DbError> {
        self.one(
            &Query::select()
                .columns(COLS)
                .from(M::Table)
                .and_where(Expr::col(M::Id).eq(id))
                .to_owned(),
        )
        .await
    }

    /// By name (names are unique).
    pub async fn find_by_name(&self, name: &str) -> Result<Option<Mount>, DbError> {
        self.one(
            &Query::select()
                .columns(COLS)
                .from(M::Table)
                .and_where(Expr::col(M::Name).eq(name))
                .to_owned(),
        )
        .await
    }

    /// The mounts with these ids, ascending by id.
    pub async fn find_many(&self, ids: &[i64]) -> Result<Vec<Mount>, DbError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let q = Query::select()
            .columns(COLS)
            .from(M::Table)
            .and_where(Expr::col(M::Id).is_in(ids.iter().copied()))
            .order_by(M::Id, Order::Asc)
            .to_owned();
        self.0.fetch_all(&q).await?.iter().map(from_row).collect()
    }

    /// A filtered, sorted page of mounts and the number matching the filters.
    pub async fn search(&self, query: &MountListQuery) -> Result<(Vec<Mount>, i64), DbError> {
        let mut base = Query::select();
        base.from(M::Table);
        partial_filter(&mut base, M::Uuid, query.filter.uuid.as_deref());
        partial_filter(&mut base, M::Name, query.filter.name.as_deref());
        partial_filter(&mut base, M::Source, query.filter.source.as_deref());
        partial_filter(&mut base, M::Target, query.filter.target.as_deref());

        let mut count = base.clone();
        count.expr(Expr::col(M::Id).count());
        let total = self.0.count(&count).await?;

        let order = if query.desc { Order::Desc } else { Order::Asc };
        let mut page = base;
        page.columns(COLS);
        match query.sort {
            MountSort::Id => {}
            MountSort::Uuid => {
                page.order_by(M::Uuid, order.clone());
            }
            MountSort::Name => {
                page.order_by(M::Name, order.clone());
            }
        }
        // Ties (and the default) by id, so pages never overlap.
        page.order_by(M::Id, order)
            .limit(query.limit)
            .offset(query.offset);
        let rows = self.0.fetch_all(&page).await?;
        Ok((rows.iter().map(from_row).collect::<Result<_, _>>()?, total))
    }

    /// Updates the fields given; `None` when the mount does not exist.
    pub async fn update(&self, id: i64, p: &MountPatch) -> Result<Option<Mount>, DbError> {
        let mut q = Query::update();
        q.table(M::Table).and_where(Expr::col(M::Id).eq(id));
        let mut any = false;
        if let Some(v) = &p.name {
            q.value(M::Name, v.clone());
            any = true;
        }
        if let Some(v) = &p.description {
            q.value(M::Description, v.clone());
            any = true;
        }
        if let Some(v) = &p.source {
            q.value(M::Source, v.clone());
            any = true;
        }
        if let Some(v) = &p.target {
            q.value(M::Target, v.clone());
            any = true;
        }
        if let Some(v) = p.read_only {
            q.value(M::ReadOnly, i64::from(v));
            any = true;
        }
        if let Some(v) = p.user_mountable {
            q.value(M::UserMountable, i64::from(v));
            any = true;
        }
        // The table has no timestamps, so an empty patch has nothing to write.
        if any && self.0.execute(&q).await? == 0 {
            return Ok(None);
        }
        self.find(id).await
    }

    /// Deletes a mount and (by cascade) its links; whether it existed.
    pub async fn delete(&self, id: i64) -> Result<bool, DbError> {
        let q = Query::delete()
            .from_table(M::Table)
            .and_where(Expr::col(M::Id).eq(id))
            .to_owned();
        Ok(self.0.execute(&q).await? > 0)
    }

    /// Which of `ids` exist as eggs, nodes or servers (for `exists:` validation), ascending.
    pub async fn existing(&self, kind: MountLink, ids: &[i64]) -> Result<Vec<i64>, DbError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = Query::select();
        match kind {
            MountLink::Egg => q
                .column(E::Id)
                .from(E::Table)
                .and_where(Expr::col(E::Id).is_in(ids.iter().copied()))
                .order_by(E::Id, Order::Asc),
            MountLink::Node => q
                .column(N::Id)
                .from(N::Table)
                .and_where(Expr::col(N::Id).is_in(ids.iter().copied()))
                .order_by(N::Id, Order::Asc),
            MountLink::Server => q
                .column(S::Id)
                .from(S::Table)
                .and_where(Expr::col(S::Id).is_in(ids.iter().copied()))
                .order_by(S::Id, Order::Asc),
        };
        self.0
            .fetch_all(&q)
            .await?
            .iter()
            .map(|r| get_i64(r, "id"))
            .collect()
    }

    /// `(mount_id, linked id)` pairs of `kind` for any of `mount_ids`, ascending by linked id.
    pub async fn links(
        &self,
        kind: MountLink,
        mount_ids: &[i64],
    ) -> Result<Vec<(i64, i64)>, DbError> {
        if mount_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = Query::select();
        match kind {
            MountLink::Egg => q
                .expr_as(Expr::col(EM::MountId), sea_query::Alias::new("mount_id"))
                .expr_as(Expr::col(EM::EggId), sea_query::Alias::new("other_id"))
                .from(EM::Table)
                .and_where(Expr::col(EM::MountId).is_in(mount_ids.iter().copied()))
                .order_by(EM::EggId, Order::Asc),
            MountLink::Node => q
                .expr_as(Expr::col(MN::MountId), sea_query::Alias::new("mount_id"))
                .expr_as(Expr::col(MN::NodeId), sea_query::Alias::new("other_id"))
                .from(MN::Table)
                .and_where(Expr::col(MN::MountId).is_in(mount_ids.iter().copied()))
                .order_by(MN::NodeId, Order::Asc),
            MountLink::Server => q
                .expr_as(Expr::col(MS::MountId), sea_query::Alias::new("mount_id"))
                .expr_as(Expr::col(MS::ServerId), sea_query::Alias::new("other_id"))
                .from(MS::Table)
                .and_where(Expr::col(MS::MountId).is_in(mount_ids.iter().copied()))
                .order_by(MS::ServerId, Order::Asc),
        };
        self.0
            .fetch_all(&q)
            .await?
            .iter()
            .map(|r| Ok((get_i64(r, "mount_id")?, get_i64(r, "other_id")?)))
            .collect()
    }

    /// Links the mount to each of `ids` not linked yet; returns how many links were added.
    /// The ids must exist (a foreign key failure is [`DbError::ForeignKey`]).
    pub async fn link(&self, kind: MountLink, mount_id: i64, ids: &[i64]) -> Result<u64, DbError> {
        let have: Vec<i64> = self
            .links(kind, &[mount_id])
            .await?
            .into_iter()
            .map(|(_, id)| id)
            .collect();
        let mut added = 0;
        let mut wanted: Vec<i64> = ids.iter().copied().filter(|i| !have.contains(i)).collect();
        wanted.sort_unstable();
        wanted.dedup();
        for id in wanted {
            let mut q = Query::insert();
            match kind {
                MountLink::Egg => q.into_table(EM::Table).columns([EM::EggId, EM::MountId]),
                MountLink::Node => q.into_table(MN::Table).columns([MN::NodeId, MN::MountId]),
                MountLink::Server => q.into_table(MS::Table).columns([MS::ServerId, MS::MountId]),
            };
            q.values_panic([id.into(), mount_id.into()]);
            match self.0.execute(&q).await {
                Ok(n) => added += n,
                // Linked by a concurrent request in the meantime: already what was asked.
                Err(DbError::Unique { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(added)
    }

    /// Removes the link between the mount and `id`; whether there was one.
    pub async fn unlink(&self, kind: MountLink, mount_id: i64, id: i64) -> Result<bool, DbError> {
        let mut q = Query::delete();
        match kind {
            MountLink::Egg => q
                .from_table(EM::Table)
                .and_where(Expr::col(EM::MountId).eq(mount_id))
                .and_where(Expr::col(EM::EggId).eq(id)),
            MountLink::Node => q
                .from_table(MN::Table)
                .and_where(Expr::col(MN::MountId).eq(mount_id))
                .and_where(Expr::col(MN::NodeId).eq(id)),
            MountLink::Server => q
                .from_table(MS::Table)
                .and_where(Expr::col(MS::MountId).eq(mount_id))
                .and_where(Expr::col(MS::ServerId).eq(id)),
        };
        Ok(self.0.execute(&q).await? > 0)
    }

    /// Every mount attached to the server (whether or not it applies), ascending by id.
    pub async fn attached_to_server(&self, server_id: i64) -> Result<Vec<Mount>, DbError> {
        let q = Query::select()
            .columns(COLS.map(|c| (M::Table, c)))
            .from(M::Table)
            .inner_join(
                MS::Table,
                Expr::col((MS::Table, MS::MountId)).equals((M::Table, M::Id)),
            )
            .and_where(Expr::col((MS::Table, MS::ServerId)).eq(server_id))
            .order_by((M::Table, M::Id), Order::Asc)
            .to_owned();
        self.0.fetch_all(&q).await?.iter().map(from_row).collect()
    }

    /// The mounts that apply to a server: attached to it and linked to both its node and
    /// its egg (a mount unlinked from the node or egg later, or left attached across a
    /// transfer or an egg change, no longer applies). Ascending by id.
    pub async fn for_server(
        &self,
        server_id: i64,
        node_id: i64,
        egg_id: i64,
    ) -> Result<Vec<Mount>, DbError> {
        let q = Query::select()
            .columns(COLS.map(|c| (M::Table, c)))
            .from(M::Table)
            .inner_join(
                MS::Table,
                Expr::col((MS::Table, MS::MountId)).equals((M::Table, M::Id)),
            )
            .inner_join(
                MN::Table,
                Expr::col((MN::Table, MN::MountId)).equals((M::Table, M::Id)),
            )
            .inner_join(
                EM::Table,
                Expr::col((EM::Table, EM::MountId)).equals((M::Table, M::Id)),
            )
            .and_where(Expr::col((MS::Table, MS::ServerId)).eq(server_id))
            .and_where(Expr::col((MN::Table, MN::NodeId)).eq(node_id))
            .and_where(Expr::col((EM::Table, EM::EggId)).eq(egg_id))
            .order_by((M::Table, M::Id), Order::Asc)
            .to_owned();
        self.0.fetch_all(&q).await?.iter().map(from_row).collect()
    }
}
