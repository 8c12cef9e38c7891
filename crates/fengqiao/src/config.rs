//! Settings from flags, environment variables and an optional TOML file, in
//! that order of precedence, then built-in defaults.

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub data_dir: Option<PathBuf>,
    pub db: Option<PathBuf>,
    pub commitment_key: Option<PathBuf>,
    pub sqlite_cache_mib: Option<u32>,
    pub bind: Option<String>,
    pub timezone: Option<String>,
    pub cell_m: Option<f64>,
    pub categories: Option<PathBuf>,
    pub ledger_key: Option<PathBuf>,
    pub cases: Option<PathBuf>,
    pub tiles: Option<String>,
    pub public_url: Option<String>,
    pub trusted_proxies: Option<Vec<String>>,
    pub open311_partners: Option<Vec<String>>,
}

/// Flags and environment variables, as clap collected them.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct GlobalArgs {
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
    /// Grid cell size in metres for aggregates [default: 250]
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
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub data_dir: PathBuf,
    /// The SQLite file (unused when `postgres` is set).
    pub db: PathBuf,
    /// The PostgreSQL connection string, when the database is PostgreSQL.
    pub postgres: Option<String>,
    /// PostgreSQL's commitment key file (SQLite keeps its own beside the database file).
    pub commitment_key: PathBuf,
    /// The SQLite page caches' budget, MiB.
    pub sqlite_cache_mib: u32,
    pub bind: SocketAddr,
    pub timezone: chrono_tz::Tz,
    pub cell_m: f64,
    pub categories: std::sync::Arc<fengqiao_domain::CategoryTable>,
    /// The ledger's checkpoint signing key (kept outside the database).
    pub ledger_key: PathBuf,
    pub cases: std::sync::Arc<fengqiao_cases::CaseConfig>,
    /// Who may use which capability (the built-in policy, checked against the case roles).
    pub policy: std::sync::Arc<fengqiao_auth::Policy>,
    /// Base-map tile URL template, if the deployment has a map server.
    pub tiles: Option<String>,
    /// Trusted proxies, the public address, trusted Open311 partners.
    pub network: std::sync::Arc<fengqiao_server::net::Network>,
}

impl Settings {
    pub fn resolve(args: &GlobalArgs) -> Result<Settings, String> {
        let file = match &args.config {
            Some(p) => Some(read_file(p)?),
            None if Path::new("fengqiao.toml").exists() => Some(read_file(Path::new("fengqiao.toml"))?),
            None => None,
        }
        .unwrap_or_default();
        let data_dir = args
            .data_dir
            .clone()
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("fengqiao-data"));
        let db = args
            .db
            .clone()
            .or(file.db)
            .unwrap_or_else(|| data_dir.join("fengqiao.sqlite"));
        let postgres = db.to_str().filter(|d| is_postgres(d)).map(str::to_string);
        let commitment_key = args
            .commitment_key
            .clone()
            .or(file.commitment_key)
            .unwrap_or_else(|| data_dir.join("postgres.commitment-key"));
        let sqlite_cache_mib = args
            .sqlite_cache_mib
            .or(file.sqlite_cache_mib)
            .unwrap_or(fengqiao_store_sqlite::DEFAULT_CACHE_MIB);
        if !(4..=65_536).contains(&sqlite_cache_mib) {
            return Err(format!("SQLite cache {sqlite_cache_mib} MiB is outside 4..=65536"));
        }
        let bind_text = args
            .bind
            .clone()
            .or(file.bind)
            .unwrap_or_else(|| "127.0.0.1:8080".into());
        let bind = bind_text
            .parse()
            .map_err(|_| format!("bind address {bind_text:?} is not IP:PORT (e.g. 127.0.0.1:8080)"))?;
        let tz_text = args
            .timezone
            .clone()
            .or(file.timezone)
            .unwrap_or_else(|| "Asia/Shanghai".into());
        let timezone = tz_text
            .parse()
            .map_err(|_| format!("time zone {tz_text:?} is not an IANA zone name (e.g. Asia/Shanghai)"))?;
        let cell_m = args.cell_m.or(file.cell_m).unwrap_or(250.0);
        if !(25.0..=10_000.0).contains(&cell_m) {
            return Err(format!("grid cell size {cell_m} m is outside 25..=10000"));
        }
        let categories = match args.categories.clone().or(file.categories) {
            None => fengqiao_domain::CategoryTable::default_110(),
            Some(p) => {
                let text = std::fs::read_to_string(&p).map_err(|e| format!("category table {}: {e}", p.display()))?;
                fengqiao_domain::CategoryTable::from_toml(&text)
                    .map_err(|e| format!("category table {}: {e}", p.display()))?
            }
        };
        let ledger_key = args
            .ledger_key
            .clone()
            .or(file.ledger_key)
            .unwrap_or_else(|| data_dir.join("ledger-signing.key"));
        let cases = match args.cases.clone().or(file.cases) {
            None => fengqiao_cases::CaseConfig::builtin(),
            Some(p) => {
                let text =
                    std::fs::read_to_string(&p).map_err(|e| format!("case configuration {}: {e}", p.display()))?;
                fengqiao_cases::CaseConfig::from_toml(&text)
                    .map_err(|e| format!("case configuration {}: {e}", p.display()))?
            }
        };
        let policy = fengqiao_auth::Policy::from_toml(fengqiao_auth::policy::BUILTIN, &cases.roles)
            .map_err(|e| format!("access policy: {e}"))?;
        let tiles = args.tiles.clone().or(file.tiles).filter(|t| !t.is_empty());
        if let Some(t) = &tiles {
            check_tiles(t)?;
        }
        let public_url = args.public_url.clone().or(file.public_url).filter(|u| !u.is_empty());
        if let Some(u) = &public_url
            && !(u.starts_with("https://") || u.starts_with("http://"))
        {
            return Err(format!("public URL {u:?}: expected http(s)://HOST[:PORT][/PATH]"));
        }
        let trusted_proxies = args
            .trusted_proxies
            .clone()
            .or(file.trusted_proxies)
            .unwrap_or_default()
            .iter()
            .filter(|p| !p.trim().is_empty())
            .map(|p| fengqiao_server::net::Block::parse(p).map_err(|e| format!("trusted proxies: {e}")))
            .collect::<Result<Vec<_>, String>>()?;
        let open311_partners = args
            .open311_partners
            .clone()
            .or(file.open311_partners)
            .unwrap_or_default();
        let network = fengqiao_server::net::Network {
            trusted_proxies,
            public_url,
            open311_partners: open311_partners.into_iter().filter(|p| !p.trim().is_empty()).collect(),
        };
        Ok(Settings {
            network: std::sync::Arc::new(network),
            tiles,
            policy: std::sync::Arc::new(policy),
            cases: std::sync::Arc::new(cases),
            ledger_key,
            data_dir,
            db,
            postgres,
            commitment_key,
            sqlite_cache_mib,
            bind,
            timezone,
            cell_m,
            categories: std::sync::Arc::new(categories),
        })
    }
}

/// Whether a `--db` value names a PostgreSQL database rather than a file.
fn is_postgres(db: &str) -> bool {
    db.starts_with("postgres://")
        || db.starts_with("postgresql://")
        || (db.contains('=')
            && db
                .split_whitespace()
                .any(|kv| kv.starts_with("host=") || kv.starts_with("dbname=")))
}

impl Settings {
    /// The database for messages: the file, or the URL without its password.
    pub fn database_label(&self) -> String {
        match &self.postgres {
            Some(url) => fengqiao_store_postgres::redact(url),
            None => self.db.display().to_string(),
        }
    }
}

fn read_file(path: &Path) -> Result<FileConfig, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("config file {}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| {
        format!(
            "config file {}: {}",
            path.display(),
            fengqiao_ingest::toml_error(&text, &e)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_beat_file_and_defaults_fill_the_rest() {
        let dir = std::env::temp_dir().join(format!("fq-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("f.toml");
        std::fs::write(
            &file,
            "bind = \"127.0.0.1:9000\"\ntimezone = \"America/Chicago\"\ncell_m = 500\n",
        )
        .unwrap();
        let args = GlobalArgs {
            config: Some(file.clone()),
            cell_m: Some(100.0),
            ..GlobalArgs::default()
        };
        let s = Settings::resolve(&args).unwrap();
        assert_eq!(s.bind.port(), 9000);
        assert_eq!(s.cell_m, 100.0);
        assert_eq!(s.timezone, chrono_tz::America::Chicago);
        assert_eq!(s.db, PathBuf::from("fengqiao-data/fengqiao.sqlite"));
        std::fs::write(&file, "colour = \"red\"\n").unwrap();
        let e = Settings::resolve(&args).unwrap_err();
        assert!(e.contains("f.toml") && e.contains("colour"), "{e}");
        let bad = GlobalArgs {
            bind: Some("localhost".into()),
            ..GlobalArgs::default()
        };
        assert!(Settings::resolve(&bad).unwrap_err().contains("IP:PORT"));
        assert_eq!(s.postgres, None);
        assert_eq!(s.sqlite_cache_mib, 96);
        let tiny = GlobalArgs {
            sqlite_cache_mib: Some(2),
            ..GlobalArgs::default()
        };
        assert!(Settings::resolve(&tiny).unwrap_err().contains("SQLite cache 2 MiB"));
        for (db, pg) in [
            ("postgres://fq:pw@db.example/fq", true),
            ("postgresql://db/fq", true),
            ("host=/run/postgresql dbname=fq", true),
            ("data/fengqiao.sqlite", false),
            ("data/a=b.sqlite", false),
        ] {
            let args = GlobalArgs {
                db: Some(db.into()),
                ..GlobalArgs::default()
            };
            let s = Settings::resolve(&args).unwrap();
            assert_eq!(s.postgres.is_some(), pg, "{db}");
        }
    }
}

/// A tile URL template must be http(s) and name {z}, {x} and {y}.
fn check_tiles(template: &str) -> Result<(), String> {
    if !(template.starts_with("https://") || template.starts_with("http://")) {
        return Err(format!("tile URL {template:?} must start with https:// or http://"));
    }
    for part in ["{z}", "{x}", "{y}"] {
        if !template.contains(part) {
            return Err(format!("tile URL {template:?} has no {part}"));
        }
    }
    if template
        .chars()
        .any(|c| c.is_whitespace() || c == '"' || c == '<' || c == '>')
    {
        return Err(format!("tile URL {template:?} has characters a URL cannot hold"));
    }
    Ok(())
}

#[cfg(test)]
mod tile_tests {
    #[test]
    fn tile_templates_are_checked() {
        assert!(super::check_tiles("https://tiles.example/{z}/{x}/{y}.png").is_ok());
        assert!(super::check_tiles("http://10.0.0.5:8080/t/{z}/{y}/{x}").is_ok());
        assert!(super::check_tiles("ftp://x/{z}/{x}/{y}").is_err());
        assert!(super::check_tiles("https://x/{z}/{x}.png").is_err());
        assert!(super::check_tiles("https://x/{z}/{x}/{y}\"onload=").is_err());
    }
}
