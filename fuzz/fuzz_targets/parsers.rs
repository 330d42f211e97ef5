//! The string parsers users feed: quantities, label selectors, Go durations.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    if let Ok(q) = alpaca_quantity::Quantity::parse(s) {
        let printed = q.to_string();
        let again = alpaca_quantity::Quantity::parse(&printed).expect("canonical form parses");
        assert_eq!(q, again, "{s:?} printed as {printed:?}");
        let _ = q.milli_value();
    }
    if let Ok(sel) = alpaca_engine::selector::parse(s) {
        let printed = sel.to_string();
        let again = alpaca_engine::selector::parse(&printed).expect("canonical selector parses");
        assert_eq!(again.to_string(), printed);
    }
    let _ = alpaca_metrics_api::GoDuration::parse(s);
});
