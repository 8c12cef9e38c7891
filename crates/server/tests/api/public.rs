//! Citizens without an account: the public page, pins and photos, Open311.

use crate::helpers::*;

/// Open311 GeoReport v2: discovery, services and a definition, a posted
/// request that becomes a citizen's request case, lookups by id and token,
/// the filters of `GET requests`, both formats, and the spec's errors.
#[tokio::test]
async fn open311_georeport_v2() {
    let app = spawn_app().await;
    let key = off_runtime(|| {
        let store = app.db.open();
        let store = store.as_ref();
        let (key, hash) = fengqiao_store::users::new_secret().unwrap();
        fengqiao_store::Store::add_open311_key(store, &hash, "test app").unwrap();
        key
    });
    let anon = |path: &str| {
        let (app, path) = (&app, path.to_string());
        async move { app.call("GET", &path, &[], "").await }
    };
    let d = anon("/open311/v2/discovery.json").await;
    assert_eq!(d.status, 200);
    assert_eq!(
        d.json()["endpoints"][0]["specification"],
        "http://wiki.open311.org/GeoReport_v2"
    );
    let x = anon("/open311/v2/discovery.xml").await;
    assert!(x.content_type.starts_with("text/xml"), "{}", x.content_type);
    assert!(
        x.body
            .starts_with(r#"<?xml version="1.0" encoding="UTF-8"?><discovery>"#),
        "{}",
        x.body
    );
    let services = anon("/open311/v2/services.json").await.json();
    let codes: Vec<&str> = services
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["service_code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"request.noise") && codes.len() == 8, "{codes:?}");
    let def = anon("/open311/v2/services/request.noise.json").await.json();
    assert_eq!(def["attributes"][0]["code"], "when");
    assert_eq!(anon("/open311/v2/services/parking.json").await.status, 404);
    let form = |extra: &str| {
        format!(
            "api_key={key}&jurisdiction_id=fengqiao&service_code=request.noise&lat=29.86&long=121.55&description=%E5%A4%9C%E9%97%B4%E6%96%BD%E5%B7%A5&first_name=Wang&phone=13800001111&attribute%5Bwhen%5D=night{extra}"
        )
    };
    let post = |body: String, fmt: &'static str| {
        let app = &app;
        async move {
            app.call(
                "POST",
                &format!("/open311/v2/requests.{fmt}"),
                &[("Content-Type", "application/x-www-form-urlencoded")],
                &body,
            )
            .await
        }
    };
    let r = post(form(""), "json").await;
    assert_eq!(r.status, 201, "{}", r.body);
    let created = r.json();
    let id = created[0]["service_request_id"].as_str().unwrap().to_string();
    let token = created[0]["token"].as_str().unwrap().to_string();
    assert!(id.starts_with("SQ-"), "{id}");
    let one = anon(&format!("/open311/v2/requests/{id}.json")).await.json();
    assert_eq!(
        (one[0]["status"].as_str(), one[0]["service_code"].as_str()),
        (Some("open"), Some("request.noise"))
    );
    assert!(one[0]["requested_datetime"].as_str().unwrap().ends_with("+08:00"));
    assert!(
        !one.to_string().contains("13800001111") && !one.to_string().contains("Wang"),
        "no personal data: {one}"
    );
    let xml = anon(&format!("/open311/v2/requests/{id}.xml")).await;
    assert!(
        xml.body.contains("<service_requests><request><service_request_id>"),
        "{}",
        xml.body
    );
    let t = anon(&format!("/open311/v2/tokens/{token}.json")).await.json();
    assert_eq!(t[0]["service_request_id"], id);
    // The request is a case in the engine, with the reporter as a (masked) party.
    let case = app.get(&format!("/api/v1/cases/{id}")).await.json();
    assert_eq!(
        (case["case"]["origin"].as_str(), case["case"]["stage"].as_str()),
        (Some("open311"), None)
    );
    assert_eq!(case["case"]["parties"][0]["phone"], "138****1111");
    let list = anon("/open311/v2/requests.json?status=open&service_code=request.noise")
        .await
        .json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(
        anon("/open311/v2/requests.json?status=closed")
            .await
            .json()
            .as_array()
            .unwrap()
            .is_empty()
    );
    let since = anon("/open311/v2/requests.json?start_date=2099-01-01T00:00:00Z")
        .await
        .json();
    assert!(since.as_array().unwrap().is_empty());
    // Errors in the spec's shape.
    let bad_key = post(form("").replace(&key, "nope"), "json").await;
    assert_eq!((bad_key.status, bad_key.json()[0]["code"].as_str()), (403, Some("403")));
    let r = post(format!("api_key={key}&lat=29.8&long=121.5"), "xml").await;
    assert_eq!(r.status, 400);
    assert!(
        r.body
            .contains("<errors><error><code>400</code><description>service_code is required"),
        "{}",
        r.body
    );
    assert_eq!(
        post(format!("api_key={key}&service_code=request.noise"), "json")
            .await
            .status,
        400,
        "no location"
    );
    assert_eq!(
        post(
            format!("api_key={key}&service_code=request.noise&lat=99&long=121"),
            "json"
        )
        .await
        .status,
        400
    );
    assert_eq!(
        post(form("").replace("fengqiao", "elsewhere"), "json").await.status,
        400
    );
    assert_eq!(post(form("&attribute%5Bcolour%5D=red"), "json").await.status, 400);
    assert_eq!(anon("/open311/v2/requests.json?start_date=yesterday").await.status, 400);
    assert_eq!(anon("/open311/v2/requests.csv").await.status, 404);
    assert_eq!(anon("/open311/v2/requests/SQ-nope.json").await.status, 404);
}

/// The public channel without an account: submit (validated, at most ten an
/// hour from one address), follow with the token, no rating before closure.
#[tokio::test]
async fn public_requests_without_an_account() {
    let app = spawn_app().await;
    let services = app.call("GET", "/api/v1/public/services", &[], "").await;
    assert_eq!(services.status, 200);
    assert_eq!(services.json()["items"].as_array().unwrap().len(), 8);
    let submit = |body: &'static str| {
        let app = &app;
        async move { app.call("POST", "/api/v1/public/requests", &[], body).await }
    };
    let ok = r#"{"category":"request.road","description":"路面塌陷","address":"中山西路12号","phone":"13800001111"}"#;
    let r = submit(ok).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let token = r.json()["token"].as_str().unwrap().to_string();
    let seen = app
        .call("GET", &format!("/api/v1/public/requests/{token}"), &[], "")
        .await
        .json();
    assert_eq!(
        (seen["status"].as_str(), seen["can_rate"].as_bool()),
        (Some("open"), Some(false))
    );
    assert!(!seen.to_string().contains("13800001111"));
    let r = app
        .call(
            "POST",
            &format!("/api/v1/public/requests/{token}/rating"),
            &[],
            r#"{"rating":5}"#,
        )
        .await;
    assert_eq!(r.status, 409, "not before it is closed: {}", r.body);
    assert_eq!(r.json()["code"], "wrong_stage");
    assert_eq!(
        submit(r#"{"category":"request.road","description":"x"}"#).await.status,
        400,
        "no location"
    );
    assert_eq!(
        submit(r#"{"category":"parking","description":"x","address":"a"}"#)
            .await
            .status,
        422,
        "an unknown category, refused by the case engine"
    );
    assert_eq!(
        submit(r#"{"category":"request.road","description":"","address":"a"}"#)
            .await
            .status,
        400
    );
    assert_eq!(
        app.call("GET", "/api/v1/public/requests/AAAA-BBBB-CCCC-DDDD", &[], "")
            .await
            .status,
        404
    );
    let mut last = 0;
    for _ in 0..fengqiao_server::public::SUBMISSIONS_PER_HOUR {
        last = submit(ok).await.status;
    }
    assert_eq!(last, 429, "ten an hour from one address");
}

/// A citizen pins the place on the map instead of an address (the request
/// is routed by the area the pin falls in) and adds photos: real images only,
/// of the type they say they are, three at most, served back to staff byte
/// for byte and refused once the file on disk no longer matches its hash.
#[tokio::test]
async fn public_pins_and_photos() {
    let app = spawn_app().await;
    let map = app.call("GET", "/api/v1/public/map", &[], "").await.json();
    let town = &map["features"][0];
    let polygon = match town["geometry"]["type"].as_str() {
        Some("MultiPolygon") => &town["geometry"]["coordinates"][0],
        _ => &town["geometry"]["coordinates"],
    };
    let ring = polygon[0].as_array().unwrap();
    let n = ring.len() as f64 - 1.0;
    let (lon, lat) = ring[..ring.len() - 1].iter().fold((0.0, 0.0), |(x, y), p| {
        (x + p[0].as_f64().unwrap() / n, y + p[1].as_f64().unwrap() / n)
    });
    let body = format!(r#"{{"category":"request.road","description":"井盖缺失","lon":{lon},"lat":{lat}}}"#);
    let r = app.call("POST", "/api/v1/public/requests", &[], &body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let (code, token) = (
        r.json()["code"].as_str().unwrap().to_string(),
        r.json()["token"].as_str().unwrap().to_string(),
    );
    let case = app.get(&format!("/api/v1/cases/{code}")).await.json();
    let town_code = town["id"].as_str().unwrap();
    assert!(
        case["case"]["jurisdiction"].as_str().unwrap().starts_with(town_code),
        "routed by the pin: {} in {town_code}",
        case["case"]["jurisdiction"]
    );

    let photos = format!("/api/v1/public/requests/{token}/photos");
    let png = |i: u8| [b"\x89PNG\r\n\x1a\n".as_slice(), &[0, 0, 0, 13, i, i, i]].concat();
    let r = app.call_bytes("POST", &photos, "image/png", &png(1)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let first = r.json();
    assert_eq!(first["size"], 15);
    let r = app.call_bytes("POST", &photos, "image/jpeg", &png(2)).await;
    assert_eq!(r.status, 415, "declared type must match the bytes: {}", r.body);
    let r = app
        .call_bytes("POST", &photos, "image/png", b"<svg onload=alert(1)>")
        .await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (415, Some("unsupported_media_type"))
    );
    let r = app
        .call_bytes(
            "POST",
            "/api/v1/public/requests/AAAA-BBBB-CCCC-DDDD/photos",
            "image/png",
            &png(1),
        )
        .await;
    assert_eq!(r.status, 404);
    for i in 2..=3 {
        assert_eq!(app.call_bytes("POST", &photos, "image/png", &png(i)).await.status, 201);
    }
    let r = app.call_bytes("POST", &photos, "image/png", &png(4)).await;
    assert_eq!((r.status, r.json()["code"].as_str()), (422, Some("too_many_photos")));

    let case = app.get(&format!("/api/v1/cases/{code}")).await.json();
    let attachments = case["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 3);
    assert_eq!(attachments[0]["sha256"], first["sha256"]);
    assert_eq!(attachments[0]["added_by"], "citizen:web");
    let url = attachments[0]["url"].as_str().unwrap();
    assert_eq!(app.get_bytes(url).await, png(1));
    let head = app.get(url).await.head.to_ascii_lowercase();
    assert!(head.contains("x-content-type-options: nosniff"), "{head}");
    assert_eq!(
        app.get(&format!("/api/v1/cases/{code}/attachments/999")).await.status,
        404
    );
    // The citizen's view never lists files; staff outside the area do not see them.
    assert_eq!(app.call("GET", url, &[], "").await.status, 401);

    let sha = first["sha256"].as_str().unwrap();
    let stored = app
        ._dir
        .path()
        .join("files")
        .join("attachments")
        .join(&sha[..2])
        .join(sha);
    std::fs::write(&stored, b"swapped").unwrap();
    let r = app.get(url).await;
    assert_eq!((r.status, r.json()["code"].as_str()), (409, Some("file_changed")));
}
