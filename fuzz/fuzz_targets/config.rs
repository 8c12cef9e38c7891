//! Any text as a configuration file: the case engine's, the access policy,
//! the category table, an import mapping. Loaded or refused with a message,
//! never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(cases) = fengqiao_cases::CaseConfig::from_toml(text) {
        let _ = fengqiao_auth::Policy::from_toml(fengqiao_auth::policy::BUILTIN, &cases.roles);
    }
    let roles: Vec<String> = ["admin", "officer", "volunteer"].map(String::from).to_vec();
    let _ = fengqiao_auth::Policy::from_toml(text, &roles);
    let _ = fengqiao_domain::CategoryTable::from_toml(text);
    let _ = fengqiao_ingest::Mapping::from_toml(text, "fuzz.toml");
});
