//! Locations: listing, creating, updating, and deleting (refused while nodes use them), with
//! the rules of Pterodactyl's `Location` model (`short` 1..60 characters and unique, `long`
//! up to 191), plus what runs in a location for `include=nodes,servers`.

use aerie_db::Db;
use aerie_db::models::{Location, Node};
use aerie_db::repo::locations::LocationListQuery;
use aerie_db::repo::servers::Server;
use aerie_http::Error;

use super::{db_err, not_found};
use crate::api::Validator;

/// The message Pterodactyl's `HasActiveNodesException` carries.
pub const HAS_NODES: &str = "Cannot delete a location that has active nodes attached to it.";

/// Changes to a location; `None` leaves a field alone, `long: Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct LocationInput {
    /// Short code (required on create).
    pub short: Option<String>,
    /// Description.
    pub long: Option<Option<String>>,
}

fn validate(input: &LocationInput, creating: bool) -> Result<(), Error> {
    let mut v = Validator::new();
    if creating || input.short.is_some() {
        v.required("short", input.short.as_deref());
    }
    v.between("short", input.short.as_deref(), 1, 60);
    if let Some(Some(long)) = &input.long {
        v.between("long", long.as_str(), 1, 191);
    }
    v.finish()
}

async fn check_unique(db: &Db, short: &str, except: Option<i64>) -> Result<(), Error> {
    match db.locations().find_by_short(short).await.map_err(db_err)? {
        Some(l) if Some(l.id) != except => Err(Error::validation(
            "short",
            "unique",
            "The short has already been taken.",
        )),
        _ => Ok(()),
    }
}

/// Creates a location.
///
/// # Errors
/// 422 [`Error::Validation`] when `short` is missing, too long or taken, or `long` is too
/// long.
pub async fn create_location(db: &Db, input: LocationInput) -> Result<Location, Error> {
    validate(&input, true)?;
    let short = input.short.unwrap_or_default();
    check_unique(db, &short, None).await?;
    db.locations()
        .create(&short, input.long.flatten().as_deref())
        .await
        .map_err(db_err)
}

/// Updates the fields given.
///
/// # Errors
/// 404 when the location does not exist; 422 as [`create_location`].
pub async fn update_location(db: &Db, id: i64, input: LocationInput) -> Result<Location, Error> {
    let current = get_location(db, id).await?;
    validate(&input, false)?;
    if let Some(short) = input.short.as_deref().filter(|s| *s != current.short) {
        check_unique(db, short, Some(id)).await?;
    }
    let long = input.long.as_ref().map(Option::as_deref);
    db.locations()
        .update(id, input.short.as_deref(), long)
        .await
        .map_err(db_err)?
        .ok_or_else(not_found)
}

/// Deletes a location, refusing while any node is in it.
///
/// # Errors
/// 404 when the location does not exist; 400 [`HAS_NODES`] while it has nodes.
pub async fn delete_location(db: &Db, id: i64) -> Result<(), Error> {
    get_location(db, id).await?;
    if db.locations().count_nodes(id).await.map_err(db_err)? > 0 {
        return Err(Error::BadRequest(HAS_NODES.into()));
    }
    match db.locations().delete(id).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(not_found()),
        // A node added between the check and the delete.
        Err(aerie_db::DbError::ForeignKey) => Err(Error::BadRequest(HAS_NODES.into())),
        Err(e) => Err(db_err(e)),
    }
}

/// The location with this id.
///
/// # Errors
/// 404 [`Error::NotFound`] when there is none.
pub async fn get_location(db: &Db, id: i64) -> Result<Location, Error> {
    db.locations()
        .find(id)
        .await
        .map_err(db_err)?
        .ok_or_else(not_found)
}

/// A filtered page of locations and how many match in all.
///
/// # Errors
/// [`Error::Internal`] on a database failure.
pub async fn list_locations(
    db: &Db,
    query: &LocationListQuery,
) -> Result<(Vec<Location>, u64), Error> {
    let (locations, total) = db.locations().search(query).await.map_err(db_err)?;
    Ok((locations, u64::try_from(total).unwrap_or(0)))
}

/// The nodes of any of `location_ids`, in ascending id order.
///
/// # Errors
/// [`Error::Internal`] on a database failure.
pub async fn nodes_in(db: &Db, location_ids: &[i64]) -> Result<Vec<Node>, Error> {
    db.nodes()
        .list_by_locations(location_ids)
        .await
        .map_err(db_err)
}

/// The servers on the nodes of any of `location_ids`, whole (for the server transformer),
/// each with its location id, in ascending server id order.
///
/// # Errors
/// [`Error::Internal`] on a database failure.
pub async fn servers_in(db: &Db, location_ids: &[i64]) -> Result<Vec<(i64, Server)>, Error> {
    let summaries = db
        .locations()
        .servers_in(location_ids)
        .await
        .map_err(db_err)?;
    let ids: Vec<i64> = summaries.iter().map(|(_, s)| s.id).collect();
    let servers = db.servers().find_many(&ids).await.map_err(db_err)?;
    Ok(servers
        .into_iter()
        .filter_map(|s| {
            let location = summaries.iter().find(|(_, x)| x.id == s.id)?.0;
            Some((location, s))
        })
        .collect())
}
