//! The eggs Aerie ships inside the binary: the repository's test game eggs (OpenTTD,
//! Mumble, Minetest), which run offline from the images `scripts/setup-docker` builds. A
//! fresh `aerie up` imports them into its "Aerie Games" nest so a server can be created
//! right away.

/// Name of the nest the bundled eggs go into.
pub const AERIE_GAMES_NEST: &str = "Aerie Games";

/// `(file name, document)` of each bundled egg.
pub const AERIE_GAME_EGGS: [(&str, &str); 3] = [
    (
        "egg-openttd.json",
        include_str!("../../../tests/fixtures/eggs/egg-openttd.json"),
    ),
    (
        "egg-mumble.json",
        include_str!("../../../tests/fixtures/eggs/egg-mumble.json"),
    ),
    (
        "egg-minetest.json",
        include_str!("../../../tests/fixtures/eggs/egg-minetest.json"),
    ),
];
