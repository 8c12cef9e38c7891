//! Any text as what the log reads from outside: a checkpoint, a signed note,
//! a cosignature line, a witness or verifier key, a tile path. Parsed or
//! refused, never a panic; a parsed checkpoint prints back to itself.
#![no_main]
use fengqiao_tlog::Checkpoint;
use fengqiao_tlog::cosignature::{WitnessKey, parse_line};
use fengqiao_tlog::note::{Verifier, open};
use fengqiao_tlog::tiles::{parse_go_tile_path, parse_tile_path};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        let _ = open(data, &[]);
        return;
    };
    if let Ok(c) = Checkpoint::parse(text) {
        let again = Checkpoint::parse(&c.to_text()).expect("a printed checkpoint parses");
        assert_eq!(again.size, c.size);
    }
    let _ = parse_line(text);
    let _ = WitnessKey::parse(text);
    let known: Vec<Verifier> = Verifier::parse(text).into_iter().collect();
    let _ = open(data, &known);
    let _ = parse_tile_path(text);
    let _ = parse_go_tile_path(text);
});
