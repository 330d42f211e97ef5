//! Arbitrary bytes as a Snapshot file: reading must fail cleanly or decide must not panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(snapshot) = alpaca_engine::read_snapshot(data) {
        let _ = alpaca_engine::decide(&snapshot);
    }
});
