//! Who may do what: the policy's matrix, sessions, CSRF, lockout, users and volunteers.

use crate::helpers::*;

/// The authorisation matrix, generated from the route table and the policy:
/// for every role and every route, anonymous is 401, and a signed-in role
/// is refused (403) exactly when the policy does not give it the route's
/// permission.
#[tokio::test]
async fn authorisation_matrix_follows_the_policy() {
    use fengqiao_server::auth::{Need, ROUTES};
    let app = spawn_app().await;
    let policy = fengqiao_auth::Policy::builtin();
    let config = fengqiao_cases::CaseConfig::builtin();
    let roles: Vec<String> = config.roles.iter().filter(|r| *r != "system").cloned().collect();
    let tokens: Vec<(String, String)> = roles
        .iter()
        .map(|r| {
            (
                r.clone(),
                user_token(
                    &app,
                    &format!("u-{r}"),
                    r,
                    (Some("330299".into()), Some("urban".into()), Some("x".into())),
                ),
            )
        })
        .collect();
    let mut checked = 0;
    for (method, pattern, need) in ROUTES {
        let path = pattern.replace("**", "checkpoint").replace('*', "1");
        let anon = app.call(method, &path, &[], "{}").await;
        if *need == Need::Public {
            assert_ne!(anon.status, 401, "{method} {path} is public");
            continue;
        }
        assert_eq!(anon.status, 401, "{method} {path} without an account: {}", anon.body);
        assert!(
            anon.head.to_lowercase().contains("www-authenticate: bearer"),
            "{method} {path}"
        );
        assert_eq!(anon.json()["code"], "unauthenticated");
        for (role, token) in &tokens {
            let r = app
                .call(method, &path, &[("Authorization", &format!("Bearer {token}"))], "{}")
                .await;
            let allowed = match need {
                Need::Permission(p) => policy.allows(role, *p),
                _ => true,
            };
            if allowed {
                assert!(
                    r.status != 401 && !(r.status == 403 && r.json()["code"] == "forbidden"),
                    "{role} {method} {path}: {} {}",
                    r.status,
                    r.body
                );
            } else {
                assert_eq!(
                    (r.status, r.json()["code"].as_str()),
                    (403, Some("forbidden")),
                    "{role} {method} {path}"
                );
            }
            checked += 1;
        }
    }
    println!("authorisation matrix: {checked} role × route checks");
    assert!(checked > 200);
    // A bad token is as good as none.
    let r = app
        .call("GET", "/api/v1/cases", &[("Authorization", "Bearer not-a-token")], "")
        .await;
    assert_eq!(r.status, 401);
}

/// Signing in sets an HttpOnly, SameSite=Strict cookie; changes need the
/// CSRF token; signing out ends the session; five wrong passwords lock the
/// account (429 with Retry-After).
#[tokio::test]
async fn sessions_cookies_csrf_and_lockout() {
    let app = spawn_app().await;
    let otp = off_runtime(|| {
        let store = app.db.open();
        let store = store.as_ref();
        let (_, otp) =
            fengqiao_store::users::add_user(store, "li.commander", "李", "commander", (None, None, None), "t").unwrap();
        otp
    });
    let login = |pw: &str| format!(r#"{{"username":"li.commander","password":"{pw}"}}"#);
    let r = app
        .call(
            "POST",
            "/api/v1/session",
            &[("Content-Type", "application/json")],
            &login(&otp),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(
        (v["user"]["role"].as_str(), v["must_change_password"].as_bool()),
        (Some("commander"), Some(true))
    );
    let csrf = v["csrf_token"].as_str().unwrap().to_string();
    let set = r
        .head
        .lines()
        .find(|l| l.to_lowercase().starts_with("set-cookie:"))
        .unwrap()
        .to_string();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"), "{set}");
    let cookie = set
        .split_once(':')
        .unwrap()
        .1
        .trim()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let me = app.call("GET", "/api/v1/me", &[("Cookie", &cookie)], "").await;
    assert_eq!(me.json()["user"]["username"], "li.commander");
    assert!(
        me.json()["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "cases.write")
    );
    // A change without the CSRF token is refused.
    let body = r#"{"type":"hazard","category":"hazard.fire","title":"堆物"}"#;
    let r = app.call("POST", "/api/v1/cases", &[("Cookie", &cookie)], body).await;
    assert_eq!((r.status, r.json()["code"].as_str()), (403, Some("csrf")));
    // A session of a one-time password opens nothing but the change of it.
    let with_csrf = [("Cookie", cookie.as_str()), ("X-CSRF-Token", csrf.as_str())];
    let r = app.call("POST", "/api/v1/cases", &with_csrf, body).await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (403, Some("password_change_required")),
        "{}",
        r.body
    );
    for path in ["/api/v1/incidents?limit=1", "/api/v1/cases", "/api/v1/datasets"] {
        let r = app.call("GET", path, &[("Cookie", &cookie)], "").await;
        assert_eq!(
            (r.status, r.json()["code"].as_str()),
            (403, Some("password_change_required")),
            "{path}"
        );
    }
    let new_password = "li-commander-own-2026";
    let change = format!(r#"{{"current":"{otp}","new":"{new_password}"}}"#);
    let r = app.call("POST", "/api/v1/me/password", &with_csrf, &change).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        app.call("GET", "/api/v1/me", &[("Cookie", &cookie)], "").await.status,
        401,
        "sessions end with the change"
    );
    let r = app.call("POST", "/api/v1/session", &[], &login(new_password)).await;
    assert_eq!(
        (r.status, r.json()["must_change_password"].as_bool()),
        (200, Some(false))
    );
    let csrf = r.json()["csrf_token"].as_str().unwrap().to_string();
    let cookie = r
        .head
        .lines()
        .find_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))
        })
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let r = app
        .call(
            "POST",
            "/api/v1/cases",
            &[("Cookie", &cookie), ("X-CSRF-Token", &csrf)],
            body,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = app
        .call(
            "DELETE",
            "/api/v1/session",
            &[("Cookie", &cookie), ("X-CSRF-Token", &csrf)],
            "",
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(
        app.call("GET", "/api/v1/me", &[("Cookie", &cookie)], "").await.status,
        401
    );
    // Bad bodies are 400 with the place named; unknown fields too.
    let r = app
        .call(
            "POST",
            "/api/v1/session",
            &[],
            r#"{"username":"x","password":"y","admin":true}"#,
        )
        .await;
    assert_eq!((r.status, r.json()["code"].as_str()), (400, Some("invalid_body")));
    // Unknown, wrong, locked and disabled all get one answer (no enumeration),
    // and every attempt is a ledger entry.
    let logins_logged = || {
        off_runtime(|| {
            let store = app.db.open();
            fengqiao_store::Store::commitments(store.as_ref(), "login")
                .unwrap()
                .len()
        })
    };
    let before = logins_logged();
    let unknown = app
        .call(
            "POST",
            "/api/v1/session",
            &[],
            r#"{"username":"nobody","password":"whatever-pw"}"#,
        )
        .await;
    assert_eq!(unknown.status, 401);
    for _ in 0..5 {
        let r = app.call("POST", "/api/v1/session", &[], &login("wrong-password")).await;
        assert_eq!((r.status, &r.body), (401, &unknown.body), "wrong password");
    }
    let r = app.call("POST", "/api/v1/session", &[], &login(new_password)).await;
    assert_eq!(
        (r.status, &r.body),
        (401, &unknown.body),
        "locked, even with the right password"
    );
    assert!(
        !r.head.to_lowercase().contains("retry-after:"),
        "nothing tells a locked account apart"
    );
    off_runtime(|| {
        let store = app.db.open();
        let store = store.as_ref();
        let (u, _) =
            fengqiao_store::users::add_user(store, "gone", "离职", "officer", (None, None, None), "t").unwrap();
        let ch = fengqiao_store::users::UserChange {
            disabled: Some(true),
            ..Default::default()
        };
        store.update_user(u.id, &ch, "t").unwrap();
    });
    let r = app
        .call(
            "POST",
            "/api/v1/session",
            &[],
            r#"{"username":"gone","password":"whatever-pw"}"#,
        )
        .await;
    assert_eq!((r.status, &r.body), (401, &unknown.body), "disabled");
    assert_eq!(
        logins_logged(),
        before + 8,
        "unknown, five wrong, locked, disabled: each logged"
    );
    // One address trying many accounts is throttled, whatever the user name.
    let mut last = 0;
    for i in 0..fengqiao_server::session::THROTTLE_LIMIT {
        let body = format!(r#"{{"username":"spray{i}","password":"whatever-pw"}}"#);
        last = app.call("POST", "/api/v1/session", &[], &body).await.status;
    }
    assert_eq!(last, 429, "the limit counts this address's earlier failures too");
    let r = app
        .call(
            "POST",
            "/api/v1/session",
            &[],
            r#"{"username":"someone","password":"whatever-pw"}"#,
        )
        .await;
    assert_eq!((r.status, r.json()["code"].as_str()), (429, Some("throttled")));
    assert_eq!(
        logins_logged(),
        before + 8 + fengqiao_server::session::THROTTLE_LIMIT + 1,
        "throttled attempts are logged too"
    );
}

/// Accounts over the API: an administrator creates a user (its one-time
/// password returned once), the user signs in with it, the administrator
/// changes its role and resets its password; volunteers are registered and
/// activities recorded by a role that may; a server without a job runner
/// says so.
#[tokio::test]
async fn users_and_volunteers_over_the_api() {
    let app = spawn_app().await;
    let r = app
        .post(
            "/api/v1/users",
            r#"{"username":"wang.analyst","role":"analyst","display_name":"王"}"#,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let otp = r.json()["one_time_password"].as_str().unwrap().to_string();
    assert_eq!(
        app.post("/api/v1/users", r#"{"username":"x","role":"emperor"}"#)
            .await
            .status,
        400
    );
    assert_eq!(
        app.post("/api/v1/users", r#"{"username":"wang.analyst","role":"analyst"}"#)
            .await
            .status,
        400,
        "taken"
    );
    // A role that works within a scope gets one that exists.
    let no_area = app.post("/api/v1/users", r#"{"username":"o1","role":"officer"}"#).await;
    assert_eq!(
        (no_area.status, no_area.json()["details"]["parameter"].as_str()),
        (422, Some("jurisdiction"))
    );
    let nowhere = app
        .post(
            "/api/v1/users",
            r#"{"username":"o1","role":"officer","jurisdiction":"999"}"#,
        )
        .await;
    assert_eq!(nowhere.status, 422, "{}", nowhere.body);
    let stranger = app
        .post(
            "/api/v1/users",
            r#"{"username":"m1","role":"mediator","assignee":"无名氏"}"#,
        )
        .await;
    assert_eq!(stranger.json()["details"]["parameter"], "assignee", "{}", stranger.body);
    let login = |pw: String| {
        let app = &app;
        async move {
            app.call(
                "POST",
                "/api/v1/session",
                &[],
                &format!(r#"{{"username":"wang.analyst","password":"{pw}"}}"#),
            )
            .await
        }
    };
    assert_eq!(login(otp.clone()).await.status, 200);
    let r = app
        .post(
            "/api/v1/users/wang.analyst",
            r#"{"role":"leader","reset_password":true}"#,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["user"]["role"], "leader");
    let fresh = r.json()["one_time_password"].as_str().unwrap().to_string();
    assert_eq!(login(otp).await.status, 401, "the old password is gone");
    assert_eq!(login(fresh).await.status, 200);
    assert_eq!(
        app.post("/api/v1/users/nobody", r#"{"disabled":true}"#).await.status,
        404
    );
    let users = app.get("/api/v1/users").await.json();
    assert!(
        users["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["username"] == "wang.analyst")
    );
    assert!(
        !users.to_string().contains("argon2"),
        "no password hashes leave the store"
    );
    let r = app
        .post(
            "/api/v1/volunteers",
            r#"{"name":"陈老师","phone":"13912345678","skills":["mediation"]}"#,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let vid = r.json()["id"].as_i64().unwrap();
    let act = format!(
        r#"{{"kind":"safety_talk","title":"防诈骗宣讲","jurisdiction":null,"starts_at":"2026-03-02T09:00:00+08:00","ends_at":"2026-03-02T11:00:00+08:00","reach":60,"case_code":null,"attendance":[[{vid},2.0]]}}"#
    );
    assert_eq!(app.post("/api/v1/volunteers/activities", &act).await.status, 201);
    assert_eq!(
        app.post("/api/v1/volunteers/activities", &act.replace("safety_talk", "party"))
            .await
            .status,
        400
    );
    // Every server runs forecasts now (the application crate makes them).
    assert_eq!(app.post("/api/v1/forecasts", "{}").await.status, 201);
}

/// A volunteer's account is linked when they are registered (only an
/// account of the volunteer role, once); the volunteer then sees their own
/// hours and records their own activities, within the activity's length.
#[tokio::test]
async fn a_volunteer_records_their_own_activities() {
    let app = spawn_app().await;
    let volunteer = user_token(&app, "xiao.li", "volunteer", (None, None, None));
    let _ = user_token(&app, "an.analyst", "analyst", (None, None, None));
    let wrong = app
        .post("/api/v1/volunteers", r#"{"name":"李小","account":"an.analyst"}"#)
        .await;
    assert_eq!(
        (wrong.status, wrong.json()["details"]["parameter"].as_str()),
        (422, Some("account")),
        "{}",
        wrong.body
    );
    assert!(
        !app.get("/api/v1/volunteers").await.body.contains("李小"),
        "nothing registered"
    );
    let as_me = |path: &'static str, body: &'static str| {
        let (app, volunteer) = (&app, volunteer.clone());
        async move {
            let auth = format!("Bearer {volunteer}");
            if body.is_empty() {
                app.call("GET", path, &[("Authorization", &auth)], "").await
            } else {
                app.call("POST", path, &[("Authorization", &auth)], body).await
            }
        }
    };
    assert_eq!(as_me("/api/v1/me/volunteering", "").await.status, 404, "not linked yet");
    let r = app
        .post(
            "/api/v1/volunteers",
            r#"{"name":"李小","skills":["patrol"],"account":"xiao.li"}"#,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let again = app
        .post("/api/v1/volunteers", r#"{"name":"李小二","account":"xiao.li"}"#)
        .await;
    assert_eq!(again.status, 422, "one volunteer per account: {}", again.body);
    let too_long = as_me(
        "/api/v1/me/activities",
        r#"{"kind":"patrol","title":"巡防","starts_at":"2026-12-01T11:00:00Z","ends_at":"2026-12-01T13:00:00Z","hours":3}"#,
    )
    .await;
    assert_eq!(too_long.json()["details"]["parameter"], "hours", "{}", too_long.body);
    let negative = as_me(
        "/api/v1/me/activities",
        r#"{"kind":"patrol","title":"巡防","starts_at":"2026-12-01T11:00:00Z","ends_at":"2026-12-01T13:00:00Z","hours":-1}"#,
    )
    .await;
    assert_eq!(negative.json()["details"]["parameter"], "hours", "{}", negative.body);
    let ok = as_me(
        "/api/v1/me/activities",
        r#"{"kind":"patrol","title":"巡防","starts_at":"2026-12-01T11:00:00Z","ends_at":"2026-12-01T13:00:00Z","hours":2}"#,
    )
    .await;
    assert_eq!(ok.status, 201, "{}", ok.body);
    let mine = as_me("/api/v1/me/volunteering", "").await.json();
    assert_eq!(mine["volunteer"]["hours"], 2.0);
    assert_eq!(mine["volunteer"]["account"], "xiao.li");
    assert_eq!(mine["activities"][0]["title"], "巡防");
    let logged = off_runtime(|| {
        fengqiao_store::ledger::all_entries(app.db.open().as_ref())
            .unwrap()
            .iter()
            .filter(|e| e.record_type == "volunteer_account")
            .count()
    });
    assert_eq!(logged, 1);
}
