//! Any NDJSON line: the importer decodes and validates it into a record or a list of problems,
//! never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = rrjeti::model::decode_record(value);
    }
});
