//! Notifications through real channels: when a case is dispatched, sent
//! back, reworked, assigned or supervised (督办), a message for the
//! departments and the person responsible goes into the store's outbox, one
//! per channel that serves them; a delivery pass sends what is due and
//! retries failures with exponential backoff, every attempt kept. Channels
//! come from the deployment's file (`--notify`): a DingTalk / 浙政钉-style
//! robot webhook (`{"msgtype":"text","text":{"content":…}}`) or an SMS
//! gateway over HTTP (`{"phones":[…],"text":…}`), each for some departments,
//! some people (mediators by their pool name), or everything (`all`, e.g.
//! the command centre's group).

use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use fengqiao_store::Store;
use fengqiao_store::cases::CaseRecord;
use fengqiao_store::outbox::{Delivery, NewNotification, Notification};
use serde::Deserialize;
use std::io::{Read, Write};
use std::time::Duration;

/// Attempts before a notification is given up.
pub const MAX_ATTEMPTS: u32 = 8;
/// The first retry's wait; each next one doubles it, up to [`MAX_BACKOFF`].
pub const FIRST_BACKOFF: Duration = Duration::from_secs(30);
pub const MAX_BACKOFF: Duration = Duration::from_secs(3600);
/// How long one attempt may take (connecting, sending, the answer's first line).
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum Kind {
    /// A group robot's webhook (DingTalk, 浙政钉 and alike).
    Webhook,
    /// An SMS gateway taking JSON over HTTP.
    Sms,
}

/// One channel of the deployment's file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Channel {
    pub name: String,
    pub kind: Kind,
    /// `http://host[:port]/path`.
    pub url: String,
    /// SMS: the numbers to send to.
    #[serde(default)]
    pub phones: Vec<String>,
    /// Departments (codes) whose tasks it carries.
    #[serde(default)]
    pub departments: Vec<String>,
    /// People (mediators by their pool name) whose assignments it carries.
    #[serde(default)]
    pub assignees: Vec<String>,
    /// Every notification (a command centre's group); roster changes go
    /// only to the channels of their station.
    #[serde(default)]
    pub all: bool,
    /// Stations (codes) whose roster changes it carries (a station's group):
    /// who works what instead after a sick call, a swap or a duty level.
    #[serde(default)]
    pub stations: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Channels {
    #[serde(default)]
    pub channels: Vec<Channel>,
}

impl Channels {
    /// Reads and checks a channel file.
    pub fn from_toml(text: &str, config: &fengqiao_cases::CaseConfig) -> Result<Self> {
        let c: Channels = toml::from_str(text).map_err(|e| Error::input(format!("notification channels: {e}")))?;
        for (i, ch) in c.channels.iter().enumerate() {
            let at = |why: String| Error::input(format!("notification channels[{i}] ({}): {why}", ch.name));
            if c.channels.iter().filter(|x| x.name == ch.name).count() > 1 {
                return Err(at("two channels of one name".into()));
            }
            parse_url(&ch.url).map_err(at)?;
            if ch.kind == Kind::Sms && ch.phones.is_empty() {
                return Err(at("an SMS channel needs phones".into()));
            }
            if let Some(d) = ch.departments.iter().find(|d| !config.is_department(d)) {
                return Err(at(format!("{d:?} is not a configured department")));
            }
            if !ch.all && ch.departments.is_empty() && ch.assignees.is_empty() && ch.stations.is_empty() {
                return Err(at(
                    "serves no one: give departments, assignees, stations or all = true".into()
                ));
            }
        }
        Ok(c)
    }

    fn serving<'a>(&'a self, departments: &'a [String], person: Option<&'a str>) -> impl Iterator<Item = &'a Channel> {
        self.channels.iter().filter(move |c| {
            c.all
                || c.departments.iter().any(|d| departments.contains(d))
                || person.is_some_and(|p| c.assignees.iter().any(|a| a == p))
        })
    }

    pub fn get(&self, name: &str) -> Option<&Channel> {
        self.channels.iter().find(|c| c.name == name)
    }
}

/// (host:port, path) of an `http://` URL.
fn parse_url(url: &str) -> std::result::Result<(String, String), String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("{url:?}: only http:// URLs (a gateway on the deployment's network)"))?;
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_string()), |(h, p)| (h, format!("/{p}")));
    if host.is_empty() || host.contains(['@', ' ']) {
        return Err(format!("{url:?}: no host"));
    }
    let host = if host.contains(':') {
        host.to_string()
    } else {
        format!("{host}:80")
    };
    Ok((host, path))
}

/// The messages a case event makes: (event, departments, person, text).
fn message(
    case: &CaseRecord,
    event: &fengqiao_cases::Event,
    tz: chrono_tz::Tz,
    names: &dyn Fn(&str) -> String,
) -> Option<(Vec<String>, Option<String>, String)> {
    let st = &case.state;
    let what = format!("{}「{}」", case.code, case.case.title);
    let due = |t: DateTime<Utc>| t.with_timezone(&tz).format("%m月%d日 %H:%M").to_string();
    let mut tasks: Vec<String> = st.department.iter().cloned().collect();
    tasks.extend(st.co_departments.iter().cloned());
    let reason = event.reason.as_deref().map(|r| format!("：{r}")).unwrap_or_default();
    match event.action.as_str() {
        "dispatch" => Some((
            tasks.clone(),
            None,
            format!(
                "【枫桥】{} 请办理 {what}，本环节期限 {}。",
                tasks.iter().map(|d| names(d)).collect::<Vec<_>>().join("、"),
                due(st.stage_due_at.unwrap_or(st.due_at))
            ),
        )),
        "rework" => Some((tasks, None, format!("【枫桥】{what} 核查未通过，请返工{reason}。"))),
        "return" => Some((
            Vec::new(),
            None,
            format!("【枫桥】{what} 被部门退回{reason}，请重新派遣。"),
        )),
        "assign" | "reassign" => st.assignee.clone().map(|a| {
            (
                Vec::new(),
                Some(a.clone()),
                format!("【枫桥】{a}：请调解 {what}，期限 {}。", due(st.due_at)),
            )
        }),
        "supervise" => {
            // A commander may supervise before the deadline; say which it is.
            let limit = st.stage_due_at.unwrap_or(st.due_at);
            let text = if event.at > limit {
                format!(
                    "【枫桥·督办】{what} 已超过办理期限（{}），请立即办理并反馈{reason}。",
                    due(limit)
                )
            } else {
                format!(
                    "【枫桥·督办】{what} 请加快办理，期限 {}，办理后及时反馈{reason}。",
                    due(limit)
                )
            };
            Some((tasks, st.assignee.clone(), text))
        }
        _ => None,
    }
}

/// Queues the notifications a case event makes, one per channel serving
/// those responsible; returns how many were queued.
pub fn after_event(
    store: &dyn Store,
    settings: &crate::settings::CaseSettings,
    case: &CaseRecord,
    event: &fengqiao_cases::Event,
) -> Result<usize> {
    if settings.notify.channels.is_empty() {
        return Ok(0);
    }
    let tz = settings.config.calendar.timezone();
    let names = |code: &str| {
        settings
            .config
            .departments
            .iter()
            .find(|d| d.code == code)
            .map_or(code.to_string(), |d| d.zh.clone())
    };
    let Some((departments, person, text)) = message(case, event, tz, &names) else {
        return Ok(0);
    };
    let mut queued = 0;
    for ch in settings.notify.serving(&departments, person.as_deref()) {
        let n = NewNotification {
            key: format!("{}:{}:{}", case.id, event.version, ch.name),
            channel: ch.name.clone(),
            case_code: case.code.clone(),
            event: event.action.clone(),
            text: text.clone(),
            created_at: event.at,
        };
        queued += usize::from(store.enqueue_notification(&n)?);
    }
    Ok(queued)
}

/// Queues a message about roster `roster`'s change (now at `version`)
/// for each channel of `station`; returns how many were queued.
pub fn after_roster_change(
    store: &dyn Store,
    channels: &Channels,
    station: &str,
    (roster, version): (i64, u32),
    kind: &str,
    text: &str,
) -> Result<usize> {
    let mut queued = 0;
    for ch in channels
        .channels
        .iter()
        .filter(|c| c.stations.iter().any(|s| s == station))
    {
        let n = NewNotification {
            key: format!("roster:{roster}:{version}:{}", ch.name),
            channel: ch.name.clone(),
            case_code: format!("roster-{roster}"),
            event: format!("roster_{kind}"),
            text: text.to_string(),
            created_at: Utc::now(),
        };
        queued += usize::from(store.enqueue_notification(&n)?);
    }
    Ok(queued)
}

/// The wait before attempt `n + 1` after `n` failures.
pub fn backoff(failures: u32) -> Duration {
    let factor = 1u32 << failures.saturating_sub(1).min(16);
    (FIRST_BACKOFF * factor).min(MAX_BACKOFF)
}

/// The body a channel sends.
fn payload(ch: &Channel, text: &str) -> String {
    match ch.kind {
        Kind::Webhook => serde_json::json!({"msgtype": "text", "text": {"content": text}}).to_string(),
        Kind::Sms => serde_json::json!({"phones": ch.phones, "text": text}).to_string(),
    }
}

/// One HTTP POST of `body` to `url`; Ok if the answer is 2xx.
fn post(url: &str, body: &str) -> std::result::Result<(), String> {
    use std::net::ToSocketAddrs;
    let (host, path) = parse_url(url)?;
    let addr = host
        .to_socket_addrs()
        .map_err(|e| format!("{host}: {e}"))?
        .next()
        .ok_or_else(|| format!("{host}: no address"))?;
    let mut s = std::net::TcpStream::connect_timeout(&addr, ATTEMPT_TIMEOUT).map_err(|e| format!("{host}: {e}"))?;
    s.set_read_timeout(Some(ATTEMPT_TIMEOUT)).map_err(|e| e.to_string())?;
    s.set_write_timeout(Some(ATTEMPT_TIMEOUT)).map_err(|e| e.to_string())?;
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(request.as_bytes()).map_err(|e| format!("{host}: {e}"))?;
    let mut head = [0u8; 64];
    let n = s.read(&mut head).map_err(|e| format!("{host}: {e}"))?;
    let line = String::from_utf8_lossy(&head[..n]);
    let status: u16 = line
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("{host}: not an HTTP answer"))?;
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(format!("{host} answered {status}"))
    }
}

/// Sends the notifications due at `now` (up to `limit`), recording each
/// attempt; returns what was attempted and its outcome. Blocking.
pub fn deliver_due(
    store: &dyn Store,
    channels: &Channels,
    now: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<(Notification, Delivery)>> {
    // Leased long enough for every attempt of the batch to finish.
    let lease = now + chrono::Duration::seconds(60 + 6 * limit as i64);
    let mut done = Vec::new();
    for n in store.claim_notifications(now, lease, limit)? {
        let sent = match channels.get(&n.channel) {
            Some(ch) => post(&ch.url, &payload(ch, &n.text)),
            None => Err(format!("channel {:?} is no longer configured", n.channel)),
        };
        let outcome = match sent {
            Ok(()) => Delivery::Sent,
            Err(error) if n.attempts + 1 >= MAX_ATTEMPTS => Delivery::GiveUp { error },
            Err(error) => Delivery::Retry {
                error,
                at: now + chrono::Duration::from_std(backoff(n.attempts + 1)).unwrap_or_default(),
            },
        };
        store.record_delivery(n.id, now, &outcome)?;
        done.push((n, outcome));
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A receiver answering each connection with the next status of `statuses`.
    fn receiver(statuses: Vec<u16>) -> String {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/robot", l.local_addr().unwrap());
        std::thread::spawn(move || {
            for status in statuses {
                let Ok((mut s, _)) = l.accept() else { return };
                let mut buf = [0u8; 8192];
                let _ = s.read(&mut buf);
                let _ = write!(s, "HTTP/1.1 {status} X\r\nContent-Length: 0\r\n\r\n");
            }
        });
        url
    }

    fn queued(store: &dyn Store, channel: &str, at: DateTime<Utc>) {
        let n = NewNotification {
            key: format!("k-{channel}"),
            channel: channel.into(),
            case_code: "YH-1".into(),
            event: "dispatch".into(),
            text: "【枫桥】请办理".into(),
            created_at: at,
        };
        assert!(store.enqueue_notification(&n).unwrap());
        assert!(!store.enqueue_notification(&n).unwrap(), "queued once");
    }

    #[test]
    fn a_failed_delivery_is_retried_after_its_backoff_and_every_attempt_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = fengqiao_store_sqlite::SqliteStore::open(&dir.path().join("n.sqlite")).unwrap();
        let channel = |name: &str, url: String| Channel {
            name: name.into(),
            kind: Kind::Webhook,
            url,
            phones: vec![],
            departments: vec![],
            assignees: vec![],
            all: true,
            stations: vec![],
        };
        // A port nothing listens on: bound, then closed.
        let dead = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            format!("http://{}/x", l.local_addr().unwrap())
        };
        let channels = Channels {
            channels: vec![channel("flaky", receiver(vec![500, 200])), channel("dead", dead)],
        };
        let t0: DateTime<Utc> = "2026-12-03T08:00:00Z".parse().unwrap();
        queued(&store, "flaky", t0);
        queued(&store, "dead", t0);
        let first = deliver_due(&store, &channels, t0, 10).unwrap();
        assert!(
            first.iter().all(|(_, d)| matches!(d, Delivery::Retry { .. })),
            "{first:?}"
        );
        assert!(
            deliver_due(&store, &channels, t0 + chrono::Duration::seconds(10), 10)
                .unwrap()
                .is_empty(),
            "not due yet"
        );
        let second = deliver_due(&store, &channels, t0 + chrono::Duration::seconds(31), 10).unwrap();
        let flaky = second.iter().find(|(n, _)| n.channel == "flaky").unwrap();
        assert_eq!(flaky.1, Delivery::Sent);
        // The dead one is given up after its last attempt.
        let mut at = t0 + chrono::Duration::seconds(31);
        for _ in 2..MAX_ATTEMPTS {
            at += chrono::Duration::hours(2);
            deliver_due(&store, &channels, at, 10).unwrap();
        }
        let all = store.notifications(10).unwrap();
        let dead = all.iter().find(|n| n.channel == "dead").unwrap();
        assert_eq!(
            (dead.attempts, dead.next_at, dead.gave_up_at.is_some()),
            (MAX_ATTEMPTS, None, true)
        );
        let flaky = all.iter().find(|n| n.channel == "flaky").unwrap();
        assert_eq!(
            (flaky.attempts, flaky.sent_at.is_some(), flaky.last_error.as_deref()),
            (2, true, None)
        );
    }

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(1), Duration::from_secs(30));
        assert_eq!(backoff(2), Duration::from_secs(60));
        assert_eq!(backoff(4), Duration::from_secs(240));
        assert_eq!(backoff(30), MAX_BACKOFF);
    }

    #[test]
    fn channel_files_are_checked() {
        let config = fengqiao_cases::CaseConfig::builtin();
        let ok = r#"[[channels]]
name = "urban"
kind = "webhook"
url = "http://127.0.0.1:9000/robot/send?access_token=x"
departments = ["urban"]"#;
        assert_eq!(Channels::from_toml(ok, &config).unwrap().channels.len(), 1);
        for (bad, why) in [
            (ok.replace("http://", "ftp://"), "only http://"),
            (ok.replace("\"urban\"]", "\"nowhere\"]"), "not a configured department"),
            (ok.replace("webhook", "sms"), "needs phones"),
            (ok.replace("departments = [\"urban\"]", ""), "serves no one"),
        ] {
            let e = Channels::from_toml(&bad, &config).unwrap_err().to_string();
            assert!(e.contains(why), "{e}");
        }
        assert_eq!(
            parse_url("http://gw.local/sms").unwrap(),
            ("gw.local:80".into(), "/sms".into())
        );
    }
}
