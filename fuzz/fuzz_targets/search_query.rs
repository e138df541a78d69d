//! Any query string: `GET /api/v1/search` parses it into a request or a 400, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(query) = std::str::from_utf8(data) {
        let _ = rrjeti::api::parse_search_query(query);
    }
});
