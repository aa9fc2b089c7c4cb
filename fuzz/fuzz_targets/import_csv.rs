//! Feeds arbitrary bytes to the CSV import path: reading, checking every row, and writing the
//! good ones into an in-memory database in one transaction. It must never panic, and whatever
//! it stores must export and import again to the same bytes.
#![no_main]

use claimdb::claim_csv::ClaimReader;
use claimdb::output::{ClaimList, Format};
use claimdb::store::{ClaimFilter, Store};
use claimdb::table::Style;
use libfuzzer_sys::fuzz_target;

fn import(store: &mut Store, bytes: &[u8]) -> bool {
    let Ok(mut reader) = ClaimReader::new(bytes) else {
        return false;
    };
    let result = store.import("fuzz", |importer| {
        let mut ok = true;
        while let Some((line, row)) = reader.next_row() {
            match row {
                Ok(row) => ok &= importer.upsert(&row, &format!("fuzz line {line}")).is_ok(),
                Err(_) => ok = false,
            }
        }
        Ok((ok, ok))
    });
    matches!(result, Ok((true, _)))
}

fn export(store: &Store) -> Vec<u8> {
    let mut out = Vec::new();
    let style = Style { width: None, color: false };
    let mut list = ClaimList::new(&mut out, Format::Csv, false, style).expect("a Vec takes writes");
    store
        .for_each_claim(&ClaimFilter::default(), |c| list.push(c))
        .expect("export of what was just imported");
    list.finish().expect("a Vec takes writes");
    out
}

fuzz_target!(|bytes: &[u8]| {
    let mut store = Store::open_in_memory().expect("an in-memory database");
    if import(&mut store, bytes) {
        let first = export(&store);
        let mut copy = Store::open_in_memory().expect("an in-memory database");
        assert!(import(&mut copy, &first), "an export must import");
        assert_eq!(export(&copy), first, "export, import, export must be byte-identical");
    }
});
