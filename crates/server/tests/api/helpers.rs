//! The real server on 127.0.0.1:0 with a fresh database per test, loaded
//! with a two-week demo city through the ordinary importers, and the
//! requests the tests send it.

use fengqiao_demo::{DEMO_MAPPING, DemoCity, DemoConfig};
use fengqiao_domain::CategoryTable;
use fengqiao_ingest::{ImportOptions, Mapping, load_facilities, load_incidents, load_jurisdictions};
use fengqiao_store::Store;
use fengqiao_store_sqlite::SqliteStore;
use serde_json::Value;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub struct TestApp {
    pub addr: std::net::SocketAddr,
    pub _dir: tempfile::TempDir,
    pub db: TestDb,
    pub incidents: u64,
    pub areas: usize,
    /// An admin's API token, sent by `get` and `post`.
    pub token: String,
    /// What the server was built from (its ledger key, its data directory).
    pub settings: fengqiao_app::Settings,
}

pub struct Response {
    pub status: u16,
    pub content_type: String,
    pub body: String,
    /// Raw header lines.
    pub head: String,
}

impl Response {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// The database a test runs on: a fresh SQLite file, or with
/// `FENGQIAO_TEST_BACKEND=postgres` a fresh database on the PostgreSQL server
/// named by `FENGQIAO_TEST_PG` (the test command runs this file both ways).
pub enum TestDb {
    Sqlite(std::path::PathBuf),
    Postgres(fengqiao_store_postgres::testing::TestDatabase),
}

impl TestDb {
    pub fn new(dir: &std::path::Path) -> Self {
        match std::env::var("FENGQIAO_TEST_BACKEND").as_deref() {
            Ok("postgres") => {
                use std::sync::atomic::{AtomicUsize, Ordering};
                static NEXT: AtomicUsize = AtomicUsize::new(0);
                assert!(
                    std::env::var("FENGQIAO_TEST_PG").is_ok(),
                    "FENGQIAO_TEST_BACKEND=postgres needs FENGQIAO_TEST_PG (scripts/pg.sh start)"
                );
                let tag = format!("api_{}", NEXT.fetch_add(1, Ordering::Relaxed));
                TestDb::Postgres(fengqiao_store_postgres::testing::TestDatabase::new(&tag).expect("the test server"))
            }
            Ok("sqlite") | Err(_) => TestDb::Sqlite(dir.join("t.sqlite")),
            Ok(other) => panic!("FENGQIAO_TEST_BACKEND={other}: expected sqlite or postgres"),
        }
    }

    /// Another handle on the same database, as a second process would hold
    /// (opened, used and dropped off the async runtime: see [`off_runtime`]).
    pub fn open(&self) -> Arc<dyn Store> {
        match self {
            TestDb::Sqlite(path) => Arc::new(SqliteStore::open(path).unwrap()),
            TestDb::Postgres(db) => Arc::new(fengqiao_store_postgres::PgStore::open(&db.url(), [7; 32]).unwrap()),
        }
    }

    /// The settings a server on this database is built from.
    fn settings(&self, dir: &std::path::Path) -> fengqiao_app::Settings {
        let key = dir.join("pg.commitment-key");
        // The server's commitment key is the one `open` uses.
        std::fs::write(&key, "07".repeat(32)).unwrap();
        let db = match self {
            TestDb::Sqlite(path) => path.clone(),
            TestDb::Postgres(db) => db.url().into(),
        };
        let layer = fengqiao_app::settings::Layer {
            data_dir: Some(dir.join("files")),
            db: Some(db),
            commitment_key: Some(key),
            bind: Some("127.0.0.1:0".into()),
            ..Default::default()
        };
        fengqiao_app::Settings::resolve(&layer, None).unwrap()
    }
}

/// Runs blocking store work on a thread of its own: PostgreSQL's client
/// blocks on a runtime of its own, which may not run inside the test's.
pub fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| s.spawn(f).join().unwrap())
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like [`spawn_app`], with the server's state changed first (settings a test needs).
pub async fn spawn_app_with(configure: impl FnOnce(&mut fengqiao_app::Settings)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let db = off_runtime(|| TestDb::new(dir.path()));
    // A live log, as `fengqiao demo` loads it: its next shift is the real one.
    let now = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .naive_local();
    let city = DemoCity::generate(DemoConfig::live(DemoConfig::default().seed, 14, now));
    let table = CategoryTable::default_110();
    let (shared, report, token) = off_runtime(|| {
        let shared = db.open();
        let store = shared.as_ref();
        load_jurisdictions(store, &city.jurisdictions_geojson(), "demo").unwrap();
        load_facilities(store, &city.facilities_json(), "demo").unwrap();
        let csv = dir.path().join("incidents.csv");
        std::fs::write(&csv, city.incidents_csv()).unwrap();
        let mapping = Mapping::from_toml(DEMO_MAPPING, "demo").unwrap();
        let report = load_incidents(
            store,
            &csv,
            "demo",
            mapping,
            &table,
            &ImportOptions::default(),
            &|_, _, _| {},
        )
        .unwrap();
        assert_eq!(report.summary.rejected, 0);
        let (admin, _) =
            fengqiao_store::users::add_user(store, "admin", "admin", "admin", (None, None, None), "test").unwrap();
        let (token, hash) = fengqiao_store::users::new_secret().unwrap();
        fengqiao_store::Store::create_api_token(store, &hash, admin.id, "tests", None).unwrap();
        (shared, report, token)
    });
    let mut settings = db.settings(dir.path());
    configure(&mut settings);
    let options = fengqiao_server::BuildOptions {
        default_dataset: Some("demo".into()),
    };
    let application = fengqiao_server::Application::build(settings.clone(), options)
        .await
        .unwrap();
    let addr = application.address();
    tokio::spawn(application.run_until(std::future::pending()));
    drop(shared);
    TestApp {
        addr,
        _dir: dir,
        db,
        incidents: report.summary.imported,
        areas: city.areas.len(),
        token,
        settings,
    }
}

impl TestApp {
    /// The raw body of a 200 response.
    pub async fn get_bytes(&self, path: &str) -> Vec<u8> {
        let mut s = tokio::net::TcpStream::connect(self.addr).await.unwrap();
        let req = format!(
            "GET {path} HTTP/1.0\r\nHost: {}\r\nAuthorization: Bearer {}\r\n\r\n",
            self.addr, self.token
        );
        s.write_all(req.as_bytes()).await.unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).await.unwrap();
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        assert!(
            raw.starts_with(b"HTTP/1.0 200") || raw.starts_with(b"HTTP/1.1 200"),
            "{path}"
        );
        raw[split + 4..].to_vec()
    }

    pub async fn get(&self, path: &str) -> Response {
        self.call("GET", path, &[("Authorization", &format!("Bearer {}", self.token))], "")
            .await
    }

    pub async fn post(&self, path: &str, body: &str) -> Response {
        self.call(
            "POST",
            path,
            &[("Authorization", &format!("Bearer {}", self.token))],
            body,
        )
        .await
    }

    /// Any request with these headers (none: anonymous).
    pub async fn call(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Response {
        let mut req = format!("{method} {path} HTTP/1.0\r\nHost: {}\r\n", self.addr);
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        // A body is JSON unless the test says otherwise, as a real client sends it.
        if !body.is_empty() && !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-type")) {
            req.push_str("Content-Type: application/json\r\n");
        }
        req.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        self.request(&req).await
    }

    /// A request with a binary body.
    pub async fn call_bytes(&self, method: &str, path: &str, content_type: &str, body: &[u8]) -> Response {
        self.call_bytes_as(None, method, path, content_type, body).await
    }

    /// A request with a binary body, as the holder of `token` if given.
    pub async fn call_bytes_as(
        &self,
        token: Option<&str>,
        method: &str,
        path: &str,
        content_type: &str,
        body: &[u8],
    ) -> Response {
        let auth = token
            .map(|t| format!("Authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        let mut req = format!(
            "{method} {path} HTTP/1.0\r\nHost: {}\r\n{auth}Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
            self.addr,
            body.len()
        )
        .into_bytes();
        req.extend_from_slice(body);
        self.request_bytes(&req).await
    }

    pub async fn request(&self, req: &str) -> Response {
        self.request_bytes(req.as_bytes()).await
    }

    pub async fn request_bytes(&self, req: &[u8]) -> Response {
        let mut s = tokio::net::TcpStream::connect(self.addr).await.unwrap();
        s.write_all(req).await.unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).await.unwrap();
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        let content_type = head
            .lines()
            .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-type: ").map(String::from))
            .unwrap_or_default();
        Response {
            status,
            content_type,
            body: body.to_string(),
            head: head.to_string(),
        }
    }
}

pub fn user_token(
    app: &TestApp,
    username: &str,
    role: &str,
    scope: (Option<String>, Option<String>, Option<String>),
) -> String {
    off_runtime(|| {
        let store = app.db.open();
        let store = store.as_ref();
        let (u, _) = fengqiao_store::users::add_user(store, username, username, role, scope, "test").unwrap();
        let (token, hash) = fengqiao_store::users::new_secret().unwrap();
        fengqiao_store::Store::create_api_token(store, &hash, u.id, "t", None).unwrap();
        token
    })
}
