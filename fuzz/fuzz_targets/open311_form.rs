//! Any bytes as an Open311 GeoReport v2 POST body: parsed or refused, never
//! a panic; attributes never leak into the fields.
#![no_main]
use fengqiao_server::open311::parse_request_form;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(form) = parse_request_form(data) {
        assert!(
            form.fields
                .keys()
                .all(|k| !(k.starts_with("attribute[") && k.ends_with(']')))
        );
        for k in ["lat", "long"] {
            if let Some(v) = form.fields.get(k) {
                let _ = v.parse::<f64>();
            }
        }
    }
});
