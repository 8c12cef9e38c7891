//! Any bytes as an incident file through any built-in import profile: the
//! importer never panics, and every row read is accounted for
//! (read = imported + duplicates + rejected).
#![no_main]
use fengqiao_domain::{CategoryTable, NewIncident};
use fengqiao_ingest::{CsvSource, ImportOptions, import, profile, profile_names};
use fengqiao_store::ImportCounts;
use libfuzzer_sys::fuzz_target;
use std::collections::HashSet;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, csv)) = data.split_first() else { return };
    let names = profile_names();
    let name = names[pick as usize % names.len()];
    let mapping = profile(name).expect("built-in profile");
    let source = CsvSource::from_utf8(csv.to_vec());
    let table = CategoryTable::default_110();
    let opts = ImportOptions {
        batch_size: 3,
        abort_after_leading_rejects: u64::MAX,
        ..ImportOptions::default()
    };
    let mut seen = HashSet::new();
    let result = import(
        source,
        "fuzz.csv",
        "fuzz",
        mapping,
        &table,
        None,
        &opts,
        &|_, _, _| {},
        |batch: &[NewIncident], mut c: ImportCounts| {
            for r in batch {
                assert!(
                    r.lon.is_finite() && r.lat.is_finite(),
                    "{name}: a stored position is not a number"
                );
                if seen.insert(r.source_key.clone()) {
                    c.imported += 1
                } else {
                    c.duplicates += 1
                }
            }
            Ok(c)
        },
    );
    if let Ok(s) = result {
        assert_eq!(
            s.read,
            s.imported + s.duplicates + s.rejected,
            "{name}: rows unaccounted for"
        );
    }
});
