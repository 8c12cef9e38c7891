//! Settings, grouped by the part that takes them: from flags, environment
//! variables and an optional TOML file, in that order of precedence, then
//! built-in defaults. A new setting is a field of [`Layer`] (which is also
//! the file's format), a field of its section, a line in
//! [`Settings::resolve`], and its flag in the binary.

use crate::error::{Error, Result};
use crate::net::{Block, Network};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One layer of settings: the TOML file, or the flags and environment.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layer {
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
    /// 民转刑 linking: how far from a dispute an incident may be, metres.
    pub escalation_radius_m: Option<f64>,
    /// 民转刑 linking: how long after a dispute is opened an incident is linked to it, days.
    pub escalation_days: Option<u32>,
    /// The notification channels file (robot webhooks, SMS gateways).
    pub notify: Option<PathBuf>,
    /// Station duty: shift types and roster rules.
    pub duty: Option<PathBuf>,
}

/// The database.
#[derive(Debug, Clone)]
pub struct StoreSettings {
    pub data_dir: PathBuf,
    /// The SQLite file (unused when `postgres` is set).
    pub db: PathBuf,
    /// The PostgreSQL connection string, when the database is PostgreSQL.
    pub postgres: Option<String>,
    /// PostgreSQL's commitment key file (SQLite keeps its own beside the database file).
    pub commitment_key: PathBuf,
    /// The SQLite page caches' budget, MiB.
    pub sqlite_cache_mib: u32,
}

/// The HTTP server.
#[derive(Debug, Clone)]
pub struct ServerSettings {
    pub bind: SocketAddr,
    /// Base-map tile URL template, if the deployment has a map server.
    pub tiles: Option<String>,
    /// Trusted proxies, the public address, trusted Open311 partners.
    pub network: Arc<Network>,
}

/// The transparency log.
#[derive(Debug, Clone)]
pub struct LedgerSettings {
    /// The checkpoint signing key (kept outside the database).
    pub signing_key: PathBuf,
}

/// The city: its clock, its incident categories, its grid.
#[derive(Debug, Clone)]
pub struct CitySettings {
    pub timezone: chrono_tz::Tz,
    /// Grid cell size for aggregates, metres.
    pub cell_m: f64,
    pub categories: Arc<fengqiao_domain::CategoryTable>,
    /// The stations' shift types and roster rules.
    pub duty: Arc<fengqiao_domain::duty::DutyConfig>,
}

/// The case engine, who may do what, and the rules on disputes.
#[derive(Debug, Clone)]
pub struct CaseSettings {
    pub config: Arc<fengqiao_cases::CaseConfig>,
    /// Who may use which capability (the built-in policy, checked against the case roles).
    pub policy: Arc<fengqiao_auth::Policy>,
    pub escalation: crate::escalation::Rule,
    /// Where dispatch, return and 督办 messages go (none: nowhere).
    pub notify: Arc<crate::notify::Channels>,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub store: StoreSettings,
    pub server: ServerSettings,
    pub ledger: LedgerSettings,
    pub city: CitySettings,
    pub cases: CaseSettings,
}

impl Settings {
    /// `flags` over the file at `config` (or `./fengqiao.toml` if present) over the defaults.
    pub fn resolve(flags: &Layer, config: Option<&Path>) -> Result<Settings> {
        let file = match config {
            Some(p) => read_file(p)?,
            None if Path::new("fengqiao.toml").exists() => read_file(Path::new("fengqiao.toml"))?,
            None => Layer::default(),
        };
        let flags = flags.clone();
        macro_rules! pick {
            ($field:ident) => {
                flags.$field.or(file.$field)
            };
        }
        let data_dir = pick!(data_dir).unwrap_or_else(|| PathBuf::from("fengqiao-data"));
        let db = pick!(db).unwrap_or_else(|| data_dir.join("fengqiao.sqlite"));
        let postgres = db.to_str().filter(|d| is_postgres(d)).map(str::to_string);
        let commitment_key = pick!(commitment_key).unwrap_or_else(|| data_dir.join("postgres.commitment-key"));
        let sqlite_cache_mib = pick!(sqlite_cache_mib).unwrap_or(fengqiao_store_sqlite::DEFAULT_CACHE_MIB);
        if !(4..=65_536).contains(&sqlite_cache_mib) {
            return Err(Error::input(format!(
                "SQLite cache {sqlite_cache_mib} MiB is outside 4..=65536"
            )));
        }
        let bind_text = pick!(bind).unwrap_or_else(|| "127.0.0.1:8080".into());
        let bind = bind_text.parse().map_err(|_| {
            Error::input(format!(
                "bind address {bind_text:?} is not IP:PORT (e.g. 127.0.0.1:8080)"
            ))
        })?;
        let tz_text = pick!(timezone).unwrap_or_else(|| "Asia/Shanghai".into());
        let timezone = tz_text.parse().map_err(|_| {
            Error::input(format!(
                "time zone {tz_text:?} is not an IANA zone name (e.g. Asia/Shanghai)"
            ))
        })?;
        let cell_m = pick!(cell_m).unwrap_or(250.0);
        if !(25.0..=10_000.0).contains(&cell_m) {
            return Err(Error::input(format!("grid cell size {cell_m} m is outside 25..=10000")));
        }
        let categories = match pick!(categories) {
            None => fengqiao_domain::CategoryTable::default_110(),
            Some(p) => {
                let text = read_text(&p, "category table")?;
                fengqiao_domain::CategoryTable::from_toml(&text)
                    .map_err(|e| Error::input(format!("category table {}: {e}", p.display())))?
            }
        };
        let duty = match pick!(duty) {
            None => fengqiao_domain::duty::DutyConfig::builtin(),
            Some(p) => {
                let text = read_text(&p, "duty configuration")?;
                fengqiao_domain::duty::DutyConfig::from_toml(&text)
                    .map_err(|e| Error::input(format!("duty configuration {}: {e}", p.display())))?
            }
        };
        let signing_key = pick!(ledger_key).unwrap_or_else(|| data_dir.join("ledger-signing.key"));
        let cases = match pick!(cases) {
            None => fengqiao_cases::CaseConfig::builtin(),
            Some(p) => {
                let text = read_text(&p, "case configuration")?;
                fengqiao_cases::CaseConfig::from_toml(&text)
                    .map_err(|e| Error::input(format!("case configuration {}: {e}", p.display())))?
            }
        };
        let policy = fengqiao_auth::Policy::from_toml(fengqiao_auth::policy::BUILTIN, &cases.roles)
            .map_err(|e| Error::input(format!("access policy: {e}")))?;
        let tiles = pick!(tiles).filter(|t| !t.is_empty());
        if let Some(t) = &tiles {
            check_tiles(t)?;
        }
        let public_url = pick!(public_url).filter(|u| !u.is_empty());
        if let Some(u) = &public_url
            && !(u.starts_with("https://") || u.starts_with("http://"))
        {
            return Err(Error::input(format!(
                "public URL {u:?}: expected http(s)://HOST[:PORT][/PATH]"
            )));
        }
        let trusted_proxies = pick!(trusted_proxies)
            .unwrap_or_default()
            .iter()
            .filter(|p| !p.trim().is_empty())
            .map(|p| Block::parse(p).map_err(|e| e.context("trusted proxies")))
            .collect::<Result<Vec<_>>>()?;
        let open311_partners = pick!(open311_partners)
            .unwrap_or_default()
            .into_iter()
            .filter(|p| !p.trim().is_empty())
            .collect();
        let escalation = crate::escalation::Rule::new(
            pick!(escalation_radius_m).unwrap_or(crate::escalation::Rule::DEFAULT.radius_m),
            pick!(escalation_days).unwrap_or(crate::escalation::Rule::DEFAULT.days),
        )?;
        let notify = match pick!(notify) {
            None => crate::notify::Channels::default(),
            Some(path) => {
                let text =
                    std::fs::read_to_string(&path).map_err(|e| Error::input(format!("{}: {e}", path.display())))?;
                crate::notify::Channels::from_toml(&text, &cases).map_err(|e| e.context(path.display()))?
            }
        };
        Ok(Settings {
            store: StoreSettings {
                data_dir,
                db,
                postgres,
                commitment_key,
                sqlite_cache_mib,
            },
            server: ServerSettings {
                bind,
                tiles,
                network: Arc::new(Network {
                    trusted_proxies,
                    public_url,
                    open311_partners,
                }),
            },
            ledger: LedgerSettings { signing_key },
            city: CitySettings {
                timezone,
                cell_m,
                categories: Arc::new(categories),
                duty: Arc::new(duty),
            },
            cases: CaseSettings {
                config: Arc::new(cases),
                policy: Arc::new(policy),
                escalation,
                notify: Arc::new(notify),
            },
        })
    }

    /// The database for messages: the file, or the URL without its password.
    pub fn database_label(&self) -> String {
        match &self.store.postgres {
            Some(url) => fengqiao_store_postgres::redact(url),
            None => self.store.db.display().to_string(),
        }
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

fn read_text(path: &Path, what: &str) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| {
        let code = if e.kind() == std::io::ErrorKind::NotFound {
            crate::error::Code::NotFound
        } else {
            crate::error::Code::InvalidInput
        };
        Error::new(code, format!("{what} {}: {e}", path.display()))
    })
}

fn read_file(path: &Path) -> Result<Layer> {
    let text = read_text(path, "config file")?;
    toml::from_str(&text).map_err(|e| {
        Error::input(format!(
            "config file {}: {}",
            path.display(),
            fengqiao_ingest::toml_error(&text, &e)
        ))
    })
}

/// A tile URL template must be http(s) and name {z}, {x} and {y}.
fn check_tiles(template: &str) -> Result<()> {
    if !(template.starts_with("https://") || template.starts_with("http://")) {
        return Err(Error::input(format!(
            "tile URL {template:?} must start with https:// or http://"
        )));
    }
    for part in ["{z}", "{x}", "{y}"] {
        if !template.contains(part) {
            return Err(Error::input(format!("tile URL {template:?} has no {part}")));
        }
    }
    if template
        .chars()
        .any(|c| c.is_whitespace() || c == '"' || c == '<' || c == '>')
    {
        return Err(Error::input(format!(
            "tile URL {template:?} has characters a URL cannot hold"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_beat_file_and_defaults_fill_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f.toml");
        std::fs::write(
            &file,
            "bind = \"127.0.0.1:9000\"\ntimezone = \"America/Chicago\"\ncell_m = 500\nescalation_days = 30\n",
        )
        .unwrap();
        let flags = Layer {
            cell_m: Some(100.0),
            ..Layer::default()
        };
        let s = Settings::resolve(&flags, Some(&file)).unwrap();
        assert_eq!(s.server.bind.port(), 9000);
        assert_eq!(s.city.cell_m, 100.0);
        assert_eq!(s.city.timezone, chrono_tz::America::Chicago);
        assert_eq!(s.store.db, PathBuf::from("fengqiao-data/fengqiao.sqlite"));
        assert_eq!(s.cases.escalation.days, 30);
        std::fs::write(&file, "colour = \"red\"\n").unwrap();
        let e = Settings::resolve(&flags, Some(&file)).unwrap_err();
        assert!(e.message.contains("f.toml") && e.message.contains("colour"), "{e}");
        assert_eq!(e.code.exit_code(), 6);
        let missing = Settings::resolve(&flags, Some(&dir.path().join("none.toml"))).unwrap_err();
        assert_eq!(missing.code.exit_code(), 3);
        let bad = Layer {
            bind: Some("localhost".into()),
            ..Layer::default()
        };
        assert!(Settings::resolve(&bad, None).unwrap_err().message.contains("IP:PORT"));
        let s = Settings::resolve(&Layer::default(), None).unwrap();
        assert_eq!(s.store.postgres, None);
        assert_eq!(s.store.sqlite_cache_mib, 96);
        let tiny = Layer {
            sqlite_cache_mib: Some(2),
            ..Layer::default()
        };
        assert!(
            Settings::resolve(&tiny, None)
                .unwrap_err()
                .message
                .contains("SQLite cache 2 MiB")
        );
        for (db, pg) in [
            ("postgres://fq:pw@db.example/fq", true),
            ("postgresql://db/fq", true),
            ("host=/run/postgresql dbname=fq", true),
            ("data/fengqiao.sqlite", false),
            ("data/a=b.sqlite", false),
        ] {
            let flags = Layer {
                db: Some(db.into()),
                ..Layer::default()
            };
            let s = Settings::resolve(&flags, None).unwrap();
            assert_eq!(s.store.postgres.is_some(), pg, "{db}");
        }
        let far = Layer {
            escalation_radius_m: Some(-1.0),
            ..Layer::default()
        };
        assert!(Settings::resolve(&far, None).is_err());
    }

    #[test]
    fn tile_templates_are_checked() {
        assert!(check_tiles("https://tiles.example/{z}/{x}/{y}.png").is_ok());
        assert!(check_tiles("http://10.0.0.5:8080/t/{z}/{y}/{x}").is_ok());
        assert!(check_tiles("ftp://x/{z}/{x}/{y}").is_err());
        assert!(check_tiles("https://x/{z}/{x}.png").is_err());
        assert!(check_tiles("https://x/{z}/{x}/{y}\"onload=").is_err());
    }
}
