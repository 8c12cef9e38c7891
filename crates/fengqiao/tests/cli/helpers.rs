//! What every CLI test uses: the binary with a clean environment, running it,
//! reading its errors, servers it starts, and the crash and HTTP helpers.

use serde_json::Value;

use std::path::{Path, PathBuf};

use std::process::{Command, Output};

pub use fengqiao_store_postgres::testing::TestDatabase as PgDb;

pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_fengqiao"));
    // Settings come from flags in these tests, never from the environment.
    for v in [
        "FENGQIAO_CONFIG",
        "FENGQIAO_DATA_DIR",
        "FENGQIAO_DB",
        "FENGQIAO_BIND",
        "FENGQIAO_TIMEZONE",
        "FENGQIAO_CELL_M",
        // English unless a test asks for Chinese.
        "FENGQIAO_LANG",
        "LC_ALL",
        "LC_MESSAGES",
        "LANG",
    ] {
        c.env_remove(v);
    }
    c
}

pub fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../ingest/testdata")
        .join(name)
}

/// The local day `offset` days from today on the demo city's clock (the
/// demo's incidents run up to now), as YYYY-MM-DD.
pub fn city_day(offset: i64) -> String {
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    (today + chrono::Duration::days(offset)).to_string()
}

pub fn run(dir: &Path, args: &[&str]) -> Output {
    bin().current_dir(dir).args(args).output().unwrap()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn one_line_error(o: &Output) -> String {
    assert!(
        !o.status.success(),
        "expected failure, got success: {}",
        String::from_utf8_lossy(&o.stdout)
    );
    let e = stderr(o);
    assert_eq!(e.trim_end().lines().count(), 1, "one line: {e}");
    assert!(e.starts_with("error: "), "{e}");
    e
}

/// A fresh demo with a signed ledger, then one kind of tampering: `ledger
/// verify` fails and its mismatches mention `expect`.
pub fn tampered(tamper: impl Fn(&Path, &rusqlite::Connection), expect: &str) {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        run(dir.path(), &["demo", "--no-serve", "--days", "10"])
            .status
            .success()
    );
    assert!(run(dir.path(), &["ledger", "verify"]).status.success());
    let db = rusqlite::Connection::open(dir.path().join("fengqiao-data/fengqiao.sqlite")).unwrap();
    tamper(dir.path(), &db);
    let o = run(dir.path(), &["ledger", "verify", "--json"]);
    assert!(!o.status.success(), "{expect}: tampering went unnoticed");
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let all = v["mismatches"].to_string();
    assert!(all.contains(expect), "{expect} not in {all}");
}

pub fn open_hazard(dir: &Path, title: &str, data_dir: &str) -> String {
    let o = run(
        dir,
        &[
            "--data-dir",
            data_dir,
            "case",
            "open",
            "--type",
            "hazard",
            "--category",
            "hazard.fire",
            "--title",
            title,
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_slice::<Value>(&o.stdout).unwrap()["code"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Starts `args`, kills it with SIGKILL after `ms` milliseconds (or lets it
/// finish first); true if it was still running when killed.
pub fn kill_after(dir: &Path, args: &[&str], ms: u64) -> bool {
    let mut child = bin()
        .current_dir(dir)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(ms));
    let running = child.try_wait().unwrap().is_none();
    child.kill().unwrap(); // SIGKILL on Unix: no chance to clean up
    child.wait().unwrap();
    running
}

/// A client opening and registering hazards through the server at `addr`
/// until it stops answering; gives the writes it was told succeeded, as
/// (case code, version answered).
pub fn write_cases_until_gone(
    addr: std::net::SocketAddr,
    token: String,
) -> std::thread::JoinHandle<Vec<(String, u64)>> {
    std::thread::spawn(move || {
        let bearer = format!("Bearer {token}");
        let auth = [("Authorization", bearer.as_str())];
        let mut acked: Vec<(String, u64)> = Vec::new();
        for n in 0.. {
            let body = format!(r#"{{"type":"hazard","category":"hazard.fire","title":"隐患 {n}"}}"#);
            let Some((201, _, v)) = try_http(addr, "POST", "/api/v1/cases", &auth, &body) else {
                break;
            };
            let code = v["case"]["code"].as_str().unwrap().to_string();
            acked.push((code.clone(), v["case"]["state"]["version"].as_u64().unwrap()));
            let act = r#"{"action":"register","version":1}"#;
            let Some((200, _, v)) = try_http(addr, "POST", &format!("/api/v1/cases/{code}/actions"), &auth, act) else {
                break;
            };
            acked.push((code, v["case"]["state"]["version"].as_u64().unwrap()));
        }
        acked
    })
}

/// Every acknowledged case write is stored, at its acknowledged version or later.
pub fn acknowledged_writes_present(dir: &Path, database: &[&str], acked: &[(String, u64)]) {
    assert!(
        acked.len() > 10,
        "the client got answers before the kill: {}",
        acked.len()
    );
    for (code, version) in acked {
        let o = run(dir, &[database, &["case", "show", code, "--json"]].concat());
        assert!(o.status.success(), "{code} acknowledged but missing: {}", stderr(&o));
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert!(
            v["case"]["state"]["version"].as_u64().unwrap() >= *version,
            "{code}: acknowledged version {version}, stored {}",
            v["case"]["state"]["version"]
        );
    }
}

pub fn ledger_verifies(dir: &Path, data: &str) {
    let o = run(dir, &["--data-dir", data, "ledger", "verify", "--json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap_or(Value::Null);
    assert!(o.status.success() && v["ok"] == true, "{data}: {v} {}", stderr(&o));
}

/// One HTTP/1.0 exchange: (status, head, JSON body or null).
pub fn http(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String, Value) {
    try_http(addr, method, path, headers, body).expect("an HTTP answer")
}

/// A server process, killed when dropped (also when a test fails midway, so
/// no server outlives its test holding the test's output open).
pub struct Running(pub std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `fengqiao serve` with `args` on a free port and waits until it answers.
pub fn start_server(dir: &Path, args: &[&str]) -> (Running, std::net::SocketAddr) {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = probe.local_addr().unwrap();
    drop(probe);
    let server = bin()
        .current_dir(dir)
        .args(args)
        .args(["serve", "--bind", &addr.to_string()])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let server = Running(server);
    let until = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::net::TcpStream::connect(addr).is_err() {
        assert!(std::time::Instant::now() < until, "the server did not start");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    (server, addr)
}

/// Like [`http`], but `None` when the server is gone.
pub fn try_http(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Option<(u16, String, Value)> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).ok()?;
    let mut req = format!(
        "{method} {path} HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    let (head, body) = out.split_once("\r\n\r\n")?;
    let status = head.split(' ').nth(1)?.parse().ok()?;
    Some((
        status,
        head.to_string(),
        serde_json::from_str(body).unwrap_or(Value::Null),
    ))
}

/// The words of a Chinese run, once the data in it (file names, codes,
/// numbers, the profile's and encoding's names) is set aside.
pub fn latin_words(text: &str, data: &[&str]) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || "-_./:".contains(c)))
        .filter(|t| t.chars().filter(char::is_ascii_alphabetic).count() > 1)
        .filter(|t| !t.chars().any(|c| c.is_ascii_digit()) && !t.contains('/') && !data.contains(t))
        .map(String::from)
        .collect()
}
