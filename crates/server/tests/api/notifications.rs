//! Notifications through real channels, against a receiver the test
//! starts: a dispatch reaches the department's robot webhook, and an
//! overdue case's 督办 reaches it too, each attempt kept in the outbox.

use crate::helpers::*;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A local HTTP receiver keeping every request body it is sent.
pub(crate) async fn receiver() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/robot/send?access_token=test", listener.local_addr().unwrap());
    let got = Arc::new(Mutex::new(Vec::new()));
    let kept = got.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = listener.accept().await else {
                return;
            };
            let mut raw = Vec::new();
            let mut buf = [0u8; 4096];
            // Until the head and a body of its Content-Length are in.
            loop {
                let n = s.read(&mut buf).await.unwrap_or(0);
                if n == 0 {
                    break;
                }
                raw.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&raw).to_string();
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let len: usize = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length: ")
                                .map(|v| v.trim().parse().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if body.len() >= len {
                        kept.lock().unwrap().push(body.to_string());
                        break;
                    }
                }
            }
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok").await;
        }
    });
    (url, got)
}

pub(crate) async fn wait_for(got: &Arc<Mutex<Vec<String>>>, needle: &str) -> String {
    for _ in 0..100 {
        if let Some(b) = got.lock().unwrap().iter().find(|b| b.contains(needle)) {
            return b.clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no message with {needle:?}: {:?}", got.lock().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dispatch_and_an_overdue_case_reach_the_departments_webhook() {
    let (url, got) = receiver().await;
    let channels = format!(
        "[[channels]]\nname = \"housing-robot\"\nkind = \"webhook\"\nurl = \"{url}\"\ndepartments = [\"housing\"]\n"
    );
    let app = spawn_app_with(|s| {
        let config = s.cases.config.clone();
        s.cases.notify = Arc::new(fengqiao_app::notify::Channels::from_toml(&channels, &config).unwrap());
    })
    .await;
    let commander = user_token(&app, "duty", "commander", (None, None, None));
    let post = |path: String, body: &'static str| {
        let (app, commander) = (&app, commander.clone());
        async move {
            app.call(
                "POST",
                &path,
                &[("Authorization", &format!("Bearer {commander}"))],
                body,
            )
            .await
        }
    };
    let r = post(
        "/api/v1/cases".into(),
        r#"{"type":"hazard","category":"hazard.building","title":"外墙瓷砖松动","risk_grade":"high"}"#,
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let code = r.json()["case"]["code"].as_str().unwrap().to_string();
    let act = format!("/api/v1/cases/{code}/actions");
    assert_eq!(post(act.clone(), r#"{"action":"register"}"#).await.status, 200);
    assert_eq!(post(act.clone(), r#"{"action":"dispatch"}"#).await.status, 200);
    let body = wait_for(&got, &code).await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["msgtype"], "text");
    let text = v["text"]["content"].as_str().unwrap();
    assert!(text.contains("请办理") && text.contains("外墙瓷砖松动"), "{text}");

    // The receiver hears the message before the server records it as sent:
    // wait for the record, or the sweep below would send the dispatch again.
    for _ in 0..100 {
        let list = app.get("/api/v1/notifications").await.json();
        let sent = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["case_code"] == code.as_str() && n["event"] == "dispatch" && n["sent_at"].is_string());
        if sent {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    // Past its deadline: the sweep raises 督办 and the department hears of it.
    let settings = app.settings.clone();
    // The sweep and the delivery at a time two months on (the server's own
    // postman sends what is due now; this notification is due then).
    let later = chrono::Utc::now() + chrono::Duration::days(60);
    let (supervised, delivered) = off_runtime(|| {
        let store = app.db.open();
        let cases = app_cases(&settings, &channels);
        let done = fengqiao_app::cases::supervise_overdue(store.as_ref(), &cases, later).unwrap();
        let sent = fengqiao_app::notify::deliver_due(store.as_ref(), &cases.notify, later, 20).unwrap();
        (done, sent.len())
    });
    assert_eq!(delivered, 1);
    assert!(supervised.contains(&code), "{supervised:?}");
    let body = wait_for(&got, "督办").await;
    assert!(body.contains(&code), "{body}");
    // The outbox kept both, delivered on the first attempt.
    let list = app.get("/api/v1/notifications").await.json();
    let mine: Vec<_> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["case_code"] == code.as_str())
        .map(|n| {
            (
                n["event"].as_str().unwrap().to_string(),
                n["attempts"].as_u64(),
                n["sent_at"].is_string(),
            )
        })
        .collect();
    assert_eq!(
        mine,
        [
            ("supervise".to_string(), Some(1), true),
            ("dispatch".to_string(), Some(1), true)
        ]
    );
}

/// The case settings with the test's channels (the sweep runs outside the server).
fn app_cases(settings: &fengqiao_app::Settings, channels: &str) -> fengqiao_app::settings::CaseSettings {
    let mut cases = settings.cases.clone();
    cases.notify = Arc::new(fengqiao_app::notify::Channels::from_toml(channels, &cases.config).unwrap());
    cases
}
