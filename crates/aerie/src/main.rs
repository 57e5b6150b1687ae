//! `aerie`: the one binary. Only command-line parsing and wiring live here; every rule is in
//! the library crates.
#![forbid(unsafe_code)]

mod commands;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Aerie: game-server hosting, panel and node daemon in one binary.
#[derive(Debug, Parser)]
#[command(name = "aerie", version, about, propagate_version = true)]
pub struct Cli {
    /// Config file (default: <data dir>/aerie.toml when it exists).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory every default path derives from.
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Log format: pretty or json.
    #[arg(long, global = true, value_name = "FORMAT")]
    pub log_format: Option<String>,
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the panel (web UI + HTTP API).
    Panel {
        /// Address to listen on.
        #[arg(long)]
        bind: Option<String>,
        /// Database URL (sqlite://, postgres://, mysql://).
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Run the node daemon (or, with `configure`, write its config file).
    #[command(args_conflicts_with_subcommands = true)]
    Wings {
        /// Address to listen on (default: api.host/api.port of the wings config file).
        #[arg(long)]
        bind: Option<String>,
        /// Instead of running: set the daemon up.
        #[command(subcommand)]
        action: Option<WingsAction>,
    },
    /// Run the panel and a local node in one process (single machine).
    Up {
        /// Address the panel listens on.
        #[arg(long)]
        bind: Option<String>,
        /// Address the local node's API listens on.
        #[arg(long)]
        wings_bind: Option<String>,
        /// Database URL.
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Apply database migrations and exit.
    Migrate {
        /// Database URL.
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Manage users.
    User {
        /// What to do.
        #[command(subcommand)]
        action: UserAction,
    },
    /// Manage API keys.
    Key {
        /// What to do.
        #[command(subcommand)]
        action: KeyAction,
    },
    /// Manage eggs (game templates).
    Eggs {
        /// What to do.
        #[command(subcommand)]
        action: EggsAction,
    },
}

/// `aerie eggs …`
#[derive(Debug, Subcommand)]
pub enum EggsAction {
    /// Import egg files (PTDL_v1/v2, PLCN; JSON or YAML). A directory imports every
    /// .json/.yaml/.yml file under it. An egg with the same UUID, or the same name in the
    /// nest, is updated in place.
    Import {
        /// Egg files or directories.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Import into this nest (default: a nest named after the egg's category, else
        /// "Imported").
        #[arg(long, value_name = "ID")]
        nest: Option<i64>,
    },
}

/// `aerie wings …`
#[derive(Debug, Subcommand)]
pub enum WingsAction {
    /// Fetch this node's configuration from the panel and write the wings config file
    /// (`wings.config_file`; an existing file is kept as `<file>.bak`).
    Configure {
        /// The panel's URL, e.g. https://panel.example.com.
        #[arg(long, short = 'p', visible_alias = "panel-url", value_name = "URL")]
        panel: String,
        /// An application API key (ptla_…) of an administrator.
        #[arg(
            long,
            short = 't',
            value_name = "KEY",
            required_unless_present = "token_file"
        )]
        token: Option<String>,
        /// Read the API key from this file (keeps it out of the process list).
        #[arg(long, value_name = "FILE", conflicts_with = "token")]
        token_file: Option<PathBuf>,
        /// The node's numeric id on the panel.
        #[arg(long, short = 'n', value_name = "ID")]
        node: u64,
    },
}

/// `aerie user …`
#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Create a user.
    Create {
        /// E-mail address.
        #[arg(long)]
        email: String,
        /// Username.
        #[arg(long)]
        username: String,
        /// Password (prefer --password-file or AERIE_USER_PASSWORD on shared machines).
        #[arg(long, env = "AERIE_USER_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// Read the password from this file.
        #[arg(long, conflicts_with = "password")]
        password_file: Option<PathBuf>,
        /// Make the user an administrator.
        #[arg(long)]
        admin: bool,
    },
}

/// `aerie key …`
#[derive(Debug, Subcommand)]
pub enum KeyAction {
    /// Create an API key; the token is printed as the last line.
    Create {
        /// The owner: id, username or e-mail.
        #[arg(long)]
        user: String,
        /// application (ptla_) or client (ptlc_).
        #[arg(long = "type", value_name = "TYPE")]
        key_type: aerie_proto::keys::KeyType,
        /// Description.
        #[arg(long)]
        memo: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line, the whole cause chain, no backtrace.
            eprintln!("error: {}", format!("{e:#}").replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}
