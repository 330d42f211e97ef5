//! The documented limits: 38 significant digits, exponents within `i32`,
//! and huge inputs handled promptly without panicking.

use std::time::{Duration, Instant};

use alpaca_quantity::{Format, Quantity, QuantityError};

#[test]
fn thirty_eight_significant_digits() {
    let max = "9".repeat(38);
    assert_eq!(Quantity::parse(&max).unwrap().to_string(), max);
    let too_many = "1".repeat(39);
    assert_eq!(
        Quantity::parse(&too_many),
        Err(QuantityError::OutOfRange(too_many.clone()))
    );
    // Trailing zeros cost nothing: 10^60 is one significant digit.
    let big = format!("1{}", "0".repeat(60));
    assert_eq!(Quantity::parse(&big).unwrap().to_string(), "1e60");
    // Digits below the nano point are rounded away first.
    let long_fraction = format!("1.{}", "3".repeat(60));
    assert_eq!(
        Quantity::parse(&long_fraction).unwrap().to_string(),
        "1333333334n"
    );
    // Rounding 40 nines up carries into a single digit.
    let nines = format!("{}e-10", "9".repeat(40));
    assert_eq!(Quantity::parse(&nines).unwrap().to_string(), "1e30");
    let not_nines = format!("8{}e-10", "9".repeat(39));
    assert!(matches!(
        Quantity::parse(&not_nines),
        Err(QuantityError::OutOfRange(_))
    ));
}

#[test]
fn exponents_within_int32() {
    let top = Quantity::parse("1e2147483647").unwrap();
    assert_eq!(top.to_string(), "10e2147483646");
    assert_eq!(Quantity::parse(&top.to_string()).unwrap(), top);
    assert!(matches!(
        Quantity::parse("1e2147483648"),
        Err(QuantityError::OutOfRange(_))
    ));
    assert!(matches!(
        Quantity::parse("1000e2147483645"),
        Err(QuantityError::OutOfRange(_))
    ));
    // The i32 range is about the value: 0.001e2147483650 is 1e2147483647.
    assert_eq!(Quantity::parse("0.001e2147483650").unwrap(), top);
    assert_eq!(top.value(), i64::MAX);
    assert_eq!((-top).milli_value(), i64::MIN);
    assert_eq!(top.as_approximate_f64(), f64::INFINITY);
    assert_eq!(
        top.checked_add(top).map(|q| q.to_string()),
        Some("20e2147483646".to_owned())
    );
    // Doubling 38 nines at the top exponent needs a larger exponent: the sum
    // saturates, and is not exact.
    let nines = Quantity::parse(&format!("{}e2147483647", "9".repeat(38))).unwrap();
    assert_eq!(nines.checked_add(top), None);
    assert_eq!(nines.checked_add(nines), None);
    let saturated = nines + nines;
    assert_eq!(saturated.to_parts(), (10i128.pow(38) - 1, i32::MAX));
    assert_eq!((-nines - nines).to_parts(), (1 - 10i128.pow(38), i32::MAX));
    let nine = Quantity::parse("9e2147483647").unwrap();
    assert_eq!(
        nine.checked_add(nine).map(|q| q.to_parts()),
        Some((18, i32::MAX))
    );
    assert!(saturated > nine);
    assert_eq!(saturated, nines);
}

#[test]
fn huge_inputs_are_prompt() {
    let start = Instant::now();
    let tiny = format!("0.{}1", "0".repeat(100_000));
    assert_eq!(Quantity::parse(&tiny).unwrap().to_string(), "1n");
    let wide = format!("1{}", "0".repeat(100_000));
    assert_eq!(Quantity::parse(&wide).unwrap().to_string(), "10e99999");
    let binary = format!("1{}Ki", "0".repeat(100_000));
    assert_eq!(
        Quantity::parse(&binary).unwrap().to_string(),
        "9223372036854775807"
    );
    let binary_fraction = format!("1.{}Ki", "1".repeat(100_000));
    assert_eq!(
        Quantity::parse(&binary_fraction).unwrap().to_string(),
        "1137777777778n"
    );
    let long_garbage = format!("{}x", "1".repeat(100_000));
    assert!(Quantity::parse(&long_garbage).is_err());
    let e = Quantity::parse("1e1000000").unwrap();
    assert_eq!(
        (e + Quantity::from_int(1, Format::DecimalSI)).to_string(),
        "10000000000000000000000000000000000001e999963"
    );
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
}
