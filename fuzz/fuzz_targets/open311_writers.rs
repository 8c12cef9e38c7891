//! Any text in every field of an Open311 request list (what a citizen could
//! have stored, however it got there): the XML is always well-formed and
//! says the same text back, less what XML cannot carry; the JSON always
//! parses back to the same text.
#![no_main]
use fengqiao_server::open311::{Format, requests_document};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|texts: Vec<String>| {
    let xml = String::from_utf8(requests_document(Format::Xml, &texts)).expect("UTF-8");
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("not well-formed ({e}): {xml:?}"));
    let descriptions: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("description"))
        .map(|n| n.text().unwrap_or("").to_string())
        .collect();
    assert_eq!(descriptions.len(), texts.len());
    for (read, written) in descriptions.iter().zip(&texts) {
        let carried: String = written
            .chars()
            .map(|c| match c {
                '\t' | '\n' | '\r' => c,
                c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
                c => c,
            })
            .collect();
        assert_eq!(read, &carried);
    }
    let json: serde_json::Value = serde_json::from_slice(&requests_document(Format::Json, &texts)).expect("JSON");
    for (item, written) in json.as_array().expect("a list").iter().zip(&texts) {
        assert_eq!(item["description"].as_str(), Some(written.as_str()));
    }
});
