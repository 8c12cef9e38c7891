//! The command line's global flags (each also an environment variable),
//! handed to the application crate's settings, which read the optional TOML
//! file and fill in the defaults.

use fengqiao_app::settings::Layer;
use std::path::PathBuf;

/// Flags and environment variables, as clap collected them.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Global options (any command; each also an environment variable)")]
pub struct GlobalArgs {
    /// Language of the output meant for people: zh-CN or en [default: from LC_ALL, LC_MESSAGES or LANG; English otherwise]
    #[arg(long, global = true, env = "FENGQIAO_LANG", value_enum)]
    pub lang: Option<crate::messages::Lang>,
    /// TOML settings file [default: ./fengqiao.toml if present]
    #[arg(long, global = true, env = "FENGQIAO_CONFIG")]
    pub config: Option<PathBuf>,
    /// Directory for the embedded database and working files [default: ./fengqiao-data]
    #[arg(long, global = true, env = "FENGQIAO_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// The database: a SQLite file, or a PostgreSQL URL (postgres://USER@HOST/DB, or "host=/run/postgresql dbname=fengqiao") [default: DATA_DIR/fengqiao.sqlite]
    #[arg(long, global = true, env = "FENGQIAO_DB")]
    pub db: Option<PathBuf>,
    /// PostgreSQL only: the ledger's commitment key, kept outside the database; every server on one database needs the same file [default: DATA_DIR/postgres.commitment-key]
    #[arg(long, global = true, env = "FENGQIAO_COMMITMENT_KEY")]
    pub commitment_key: Option<PathBuf>,
    /// SQLite only: the database's page caches in all, MiB (a third for writing, the rest for eight readers) [default: 96]
    #[arg(long, global = true, env = "FENGQIAO_SQLITE_CACHE_MIB")]
    pub sqlite_cache_mib: Option<u32>,
    /// Address the server listens on [default: 127.0.0.1:8080]
    #[arg(long, global = true, env = "FENGQIAO_BIND")]
    pub bind: Option<String>,
    /// IANA time zone of the city [default: Asia/Shanghai]
    #[arg(long, global = true, env = "FENGQIAO_TIMEZONE")]
    pub timezone: Option<String>,
    /// Grid cell size in metres of the server's incident aggregates and map [default: 250] (forecasts and backtests take --cell)
    #[arg(long, global = true, env = "FENGQIAO_CELL_M")]
    pub cell_m: Option<f64>,
    /// Incident category table (TOML) replacing the built-in 110 table
    #[arg(long, global = true, env = "FENGQIAO_CATEGORIES")]
    pub categories: Option<PathBuf>,
    /// The ledger's checkpoint signing key, created on first use [default: DATA_DIR/ledger-signing.key]
    #[arg(long, global = true, env = "FENGQIAO_LEDGER_KEY")]
    pub ledger_key: Option<PathBuf>,
    /// Case engine configuration (TOML: types, stages, roles, calendar, routing) replacing the built-in one
    #[arg(long, global = true, env = "FENGQIAO_CASES")]
    pub cases: Option<PathBuf>,
    /// Base-map tiles from your own map server, drawn under the map's layers: a URL template with {z}, {x} and {y} (Web Mercator, e.g. https://tiles.example.gov.cn/{z}/{x}/{y}.png) [default: none, the map draws only its own layers]
    #[arg(long, global = true, env = "FENGQIAO_TILES")]
    pub tiles: Option<String>,
    /// The address the public reaches this server at, e.g. https://fq.example.gov.cn (Open311 discovery links to it) [default: the address each client used]
    #[arg(long, global = true, env = "FENGQIAO_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Proxies in front of the server whose X-Forwarded-For is believed, comma-separated addresses or blocks (e.g. 127.0.0.1,10.0.0.0/8) [default: none: the TCP peer is the client]
    #[arg(long, global = true, env = "FENGQIAO_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Option<Vec<String>>,
    /// Open311 clients, by the name their key was issued under, that see requests in full (descriptions, exact addresses and pins), comma-separated [default: none]
    #[arg(long, global = true, env = "FENGQIAO_OPEN311_PARTNERS", value_delimiter = ',')]
    pub open311_partners: Option<Vec<String>>,
    /// 民转刑 links: an incident this close to a dispute, metres [default: 50]
    #[arg(long, global = true, env = "FENGQIAO_ESCALATION_RADIUS_M")]
    pub escalation_radius_m: Option<f64>,
    /// 民转刑 links: an incident this many days after a dispute was opened [default: 90]
    #[arg(long, global = true, env = "FENGQIAO_ESCALATION_DAYS")]
    pub escalation_days: Option<u32>,
    /// Notification channels: a TOML file of robot webhooks and SMS gateways per department or person [default: none]
    #[arg(long, global = true, env = "FENGQIAO_NOTIFY")]
    pub notify: Option<std::path::PathBuf>,
    /// Station duty (TOML: shift types and roster rules) replacing the built-in 三班倒 / 24-hour duty one
    #[arg(long, global = true, env = "FENGQIAO_DUTY")]
    pub duty: Option<PathBuf>,
}

impl GlobalArgs {
    /// The flags as a layer of settings over the file's.
    fn layer(&self) -> Layer {
        Layer {
            data_dir: self.data_dir.clone(),
            db: self.db.clone(),
            commitment_key: self.commitment_key.clone(),
            sqlite_cache_mib: self.sqlite_cache_mib,
            bind: self.bind.clone(),
            timezone: self.timezone.clone(),
            cell_m: self.cell_m,
            categories: self.categories.clone(),
            ledger_key: self.ledger_key.clone(),
            cases: self.cases.clone(),
            tiles: self.tiles.clone(),
            public_url: self.public_url.clone(),
            trusted_proxies: self.trusted_proxies.clone(),
            open311_partners: self.open311_partners.clone(),
            escalation_radius_m: self.escalation_radius_m,
            escalation_days: self.escalation_days,
            notify: self.notify.clone(),
            duty: self.duty.clone(),
        }
    }

    pub fn settings(&self) -> fengqiao_app::Result<fengqiao_app::Settings> {
        fengqiao_app::Settings::resolve(&self.layer(), self.config.as_deref())
    }
}
