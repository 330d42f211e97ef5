//! The results apimachinery itself gives, transcribed from the tables of
//! `k8s.io/apimachinery/pkg/api/resource` (`quantity_test.go`,
//! `quantity_golden_test.go`, `quantity_subnano_test.go`,
//! `checked_accessors_test.go`), plus the HPA status cases from the issue.

use alpaca_quantity::{Format, Quantity, QuantityError};

use Format::{BinarySI as Bin, DecimalExponent as Exp, DecimalSI as Dsi};

/// `mantissa × 10^exponent` in `format` (upstream's `decQuantity`).
fn q(mantissa: i128, exponent: i32, format: Format) -> Quantity {
    Quantity::from_parts(mantissa, exponent, format)
        .unwrap_or_else(|| panic!("{mantissa}e{exponent} is not representable"))
}

fn parse(s: &str) -> Quantity {
    Quantity::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

const MAX: i128 = i64::MAX as i128;
const MIN: i128 = i64::MIN as i128;

/// `TestQuantityParse`: input, expected value, expected format.
const PARSE_TABLE: &[(&str, i128, i32, Format)] = &[
    ("0", 0, 0, Dsi),
    ("0n", 0, 0, Dsi),
    ("0u", 0, 0, Dsi),
    ("0m", 0, 0, Dsi),
    ("0Ki", 0, 0, Bin),
    ("0k", 0, 0, Dsi),
    ("0Mi", 0, 0, Bin),
    ("0M", 0, 0, Dsi),
    ("0Gi", 0, 0, Bin),
    ("0G", 0, 0, Dsi),
    ("0Ti", 0, 0, Bin),
    ("0T", 0, 0, Dsi),
    // Quantity less numbers are allowed
    ("1", 1, 0, Dsi),
    // Binary suffixes
    ("1Ki", 1024, 0, Bin),
    ("8Ki", 8 * 1024, 0, Bin),
    ("7Mi", 7 << 20, 0, Bin),
    ("6Gi", 6 << 30, 0, Bin),
    ("5Ti", 5 << 40, 0, Bin),
    ("4Pi", 4 << 50, 0, Bin),
    ("3Ei", 3 << 60, 0, Bin),
    ("10Ti", 10 << 40, 0, Bin),
    ("100Ti", 100 << 40, 0, Bin),
    // Decimal suffixes
    ("5n", 5, -9, Dsi),
    ("4u", 4, -6, Dsi),
    ("3m", 3, -3, Dsi),
    ("9", 9, 0, Dsi),
    ("8k", 8, 3, Dsi),
    ("50k", 5, 4, Dsi),
    ("7M", 7, 6, Dsi),
    ("6G", 6, 9, Dsi),
    ("5T", 5, 12, Dsi),
    ("40T", 4, 13, Dsi),
    ("300T", 3, 14, Dsi),
    ("2P", 2, 15, Dsi),
    ("1E", 1, 18, Dsi),
    // Decimal exponents
    ("1E-3", 1, -3, Exp),
    ("1e3", 1, 3, Exp),
    ("1E6", 1, 6, Exp),
    ("1e9", 1, 9, Exp),
    ("1E12", 1, 12, Exp),
    ("1e15", 1, 15, Exp),
    ("1E18", 1, 18, Exp),
    // Nonstandard but still parsable
    ("1e14", 1, 14, Exp),
    ("1e13", 1, 13, Exp),
    ("100.035k", 100035, 0, Dsi),
    // Things that look like floating point
    ("0.001", 1, -3, Dsi),
    ("0.0005k", 5, -1, Dsi),
    ("0.005", 5, -3, Dsi),
    ("0.05", 5, -2, Dsi),
    ("0.5", 5, -1, Dsi),
    ("0.00050k", 5, -1, Dsi),
    ("0.00500", 5, -3, Dsi),
    ("0.05000", 5, -2, Dsi),
    ("0.50000", 5, -1, Dsi),
    ("0.5e0", 5, -1, Exp),
    ("0.5e-1", 5, -2, Exp),
    ("0.5e-2", 5, -3, Exp),
    ("10.035M", 10035, 3, Dsi),
    ("1.2e3", 12, 2, Exp),
    ("1.3E+6", 13, 5, Exp),
    ("1.40e9", 14, 8, Exp),
    ("1.53E12", 153, 10, Exp),
    ("1.6e15", 16, 14, Exp),
    ("1.7E18", 17, 17, Exp),
    ("9.01", 901, -2, Dsi),
    ("8.1k", 81, 2, Dsi),
    ("7.123456M", 7123456, 0, Dsi),
    ("6.987654321G", 6987654321, 0, Dsi),
    ("5.444T", 5444, 9, Dsi),
    ("40.1T", 401, 11, Dsi),
    ("300.2T", 3002, 11, Dsi),
    ("2.5P", 25, 14, Dsi),
    ("1.01E", 101, 16, Dsi),
    // Things that saturate/round
    ("3.001n", 4, -9, Dsi),
    ("1.1E-9", 2, -9, Exp),
    ("0.0000000001", 1, -9, Dsi),
    ("0.0000000005", 1, -9, Dsi),
    ("0.00000000050", 1, -9, Dsi),
    ("0.5e-9", 1, -9, Exp),
    ("0.9n", 1, -9, Dsi),
    ("0.00000012345", 124, -9, Dsi),
    ("0.00000012354", 124, -9, Dsi),
    ("9Ei", MAX, 0, Bin),
    ("9223372036854775807Ki", MAX, 0, Bin),
    ("12E", 12, 18, Dsi),
    // We'll accept fractional binary stuff, too.
    ("100.035Ki", 10243584, -2, Bin),
    ("0.5Mi", 512 * 1024, 0, Bin),
    ("0.05Gi", 536870912, -1, Bin),
    ("0.025Ti", 274877906944, -1, Bin),
    // Things written by trolls
    ("0.000000000001Ki", 2, -9, Dsi), // rounds up, changes format
    (".001", 1, -3, Dsi),
    (".0001k", 100, -3, Dsi),
    ("1.", 1, 0, Dsi),
    ("1.G", 1, 9, Dsi),
];

#[test]
fn parse_table() {
    for &(input, m, e, format) in PARSE_TABLE {
        let want = q(m, e, format);
        for (text, want) in [
            (input.to_owned(), want),
            (format!("-{input}"), -want),
            (format!("+{input}"), want),
        ] {
            let got = parse(&text);
            assert_eq!(got, want, "{text}: value");
            assert_eq!(got.format(), format, "{text}: format");
        }
    }
}

/// Upstream's invalid strings, and the issue's.
#[test]
fn invalid_strings_are_errors_quoting_the_string() {
    let invalid = [
        "1.1.M",
        "1+1.0M",
        "0.1mi",
        "0.1am",
        "aoeu",
        ".5i",
        "1i",
        "-3.01i",
        "-3.01e-",
        " 1",
        "1 ",
        // from the issue
        "",
        "1.2.3",
        "12Mx",
        "--1",
        "1e",
        "Ki",
        // more suffix and shape errors
        "Non-Numeric",
        "1ki",
        "1EE",
        "1e3.5",
        "1Ki3",
        "1e+",
        "1e+-3",
        "+-1",
        "1\u{a0}",
        "１",
        "1e9223372036854775808",
    ];
    for s in invalid {
        let err = Quantity::parse(s).expect_err(s);
        assert!(err.to_string().contains(&format!("{s:?}")), "{s:?}: {err}");
    }
    assert_eq!(
        Quantity::parse("12Mx"),
        Err(QuantityError::Format("12Mx".into()))
    );
    assert_eq!(
        Quantity::parse("1e"),
        Err(QuantityError::Suffix("1e".into()))
    );
    assert_eq!(
        Quantity::parse("--1"),
        Err(QuantityError::Suffix("--1".into()))
    );
    assert_eq!(
        Quantity::parse("Ki"),
        Err(QuantityError::Format("Ki".into()))
    );
    assert_eq!(
        Quantity::parse(""),
        Err(QuantityError::Format(String::new()))
    );
    assert_eq!(
        QuantityError::Format("x".into()).to_string(),
        r#"quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': "x""#
    );
}

/// `TestQuantityString`: value, canonical text, an alternate spelling that
/// canonicalizes to it.
const STRING_TABLE: &[(i128, i32, Format, &str, &str)] = &[
    (1 << 30, 0, Bin, "1Gi", "1024Mi"),
    (300 << 20, 0, Bin, "300Mi", "307200Ki"),
    (6 << 10, 0, Bin, "6Ki", ""),
    (1001 << 30, 0, Bin, "1001Gi", "1025024Mi"),
    (1 << 40, 0, Bin, "1Ti", "1024Gi"),
    (5, 0, Bin, "5", "5000m"),
    (500, -3, Bin, "500m", "0.5"),
    (1, 9, Dsi, "1G", "1000M"),
    (1000, 6, Dsi, "1G", "0.001T"),
    (1000000, 3, Dsi, "1G", ""),
    (1000000000, 0, Dsi, "1G", ""),
    (1, -3, Dsi, "1m", "1000u"),
    (80, -3, Dsi, "80m", ""),
    (1080, -3, Dsi, "1080m", "1.08"),
    (108, -2, Dsi, "1080m", "1080000000n"),
    (10800, -4, Dsi, "1080m", ""),
    (300, 6, Dsi, "300M", ""),
    (1, 12, Dsi, "1T", ""),
    (1, 18, Dsi, "1E", ""),
    (1, 21, Dsi, "1e21", "1000E"),
    (5, 21, Dsi, "5e21", "5000E"),
    (1, 24, Dsi, "1e24", "1000000E"),
    (1234567, 6, Dsi, "1234567M", ""),
    (1234567, -3, Bin, "1234567m", ""),
    (3, 3, Dsi, "3k", ""),
    (1025, 0, Bin, "1025", ""),
    (0, 0, Dsi, "0", ""),
    (0, 0, Bin, "0", ""),
    (1, 9, Exp, "1e9", ".001e12"),
    (1, -3, Exp, "1e-3", "0.001e0"),
    (1, -9, Exp, "1e-9", "1000e-12"),
    (80, -3, Exp, "80e-3", ""),
    (300, 6, Exp, "300e6", ""),
    (1, 12, Exp, "1e12", ""),
    (1, 3, Exp, "1e3", ""),
    (3, 3, Exp, "3e3", ""),
    (0, 0, Exp, "0", "00"),
    (1, -9, Dsi, "1n", ""),
    (80, -9, Dsi, "80n", ""),
    (1080, -9, Dsi, "1080n", ""),
    (108, -8, Dsi, "1080n", ""),
    (10800, -10, Dsi, "1080n", ""),
    (1, -6, Dsi, "1u", ""),
    (80, -6, Dsi, "80u", ""),
    (1080, -6, Dsi, "1080u", ""),
];

#[test]
fn string_table() {
    for &(m, e, format, expect, alternate) in STRING_TABLE {
        let value = q(m, e, format);
        assert_eq!(value.to_string(), expect, "{m}e{e} {format}");
        assert_eq!(parse(expect).to_string(), expect, "{expect} reparsed");
        if !alternate.is_empty() {
            assert_eq!(
                parse(alternate).to_string(),
                expect,
                "alternate {alternate}"
            );
        }
        if m != 0 {
            assert_eq!(
                (-value).to_string(),
                format!("-{expect}"),
                "negated {expect}"
            );
        }
    }
}

#[test]
fn parse_emit_table() {
    let table = [
        ("1Ki", "1Ki"),
        ("1Mi", "1Mi"),
        ("1Gi", "1Gi"),
        ("1024Mi", "1Gi"),
        ("1000M", "1G"),
        (".001Ki", "1024m"),
        (".000001Ki", "1024u"),
        (".000000001Ki", "1024n"),
        (".000000000001Ki", "2n"),
    ];
    for (input, expect) in table {
        assert_eq!(parse(input).to_string(), expect, "{input}");
        assert_eq!(
            parse(&format!("-{input}")).to_string(),
            format!("-{expect}"),
            "-{input}"
        );
    }
}

#[test]
fn new_milli_quantity() {
    // TestMilliNewSet: value, format, text, whether it round-trips exactly.
    let table = [
        (1, Dsi, "1m", true),
        (1000, Dsi, "1", true),
        (1234000, Dsi, "1234", true),
        (1024, Bin, "1024m", false),
        (1024 * 1024, Bin, "1048576m", false),
    ];
    for (milli, format, expect, exact) in table {
        let value = Quantity::from_milli(milli, format);
        assert_eq!(value.to_string(), expect);
        if exact {
            assert_eq!(parse(expect).milli_value(), milli);
        }
    }
}

#[test]
fn new_quantity() {
    // TestNewSet
    let table = [
        (1, Dsi, "1"),
        (1000, Dsi, "1k"),
        (1234000, Dsi, "1234k"),
        (1024, Bin, "1Ki"),
        (1024 * 1024, Bin, "1Mi"),
    ];
    for (v, format, expect) in table {
        let value = Quantity::from_int(v, format);
        assert_eq!(value.to_string(), expect);
        assert_eq!(parse(expect).value(), v);
    }
}

#[test]
fn new_scaled_quantity() {
    // TestNewScaledSet: NewScaledQuantity(value, scale) is DecimalSI.
    let table = [
        (1, -9, "1n"),
        (1000, -9, "1u"),
        (1, -6, "1u"),
        (1000, -6, "1m"),
        (1, -3, "1m"),
        (1000, -3, "1"),
        (1, 0, "1"),
        (0, -9, "0"),
        (0, -6, "0"),
        (0, -3, "0"),
        (0, 0, "0"),
    ];
    for (v, scale, expect) in table {
        let value = q(v, scale, Dsi);
        assert_eq!(value.to_string(), expect);
        assert_eq!(i128::from(parse(expect).scaled_value(scale)), v);
    }
}

#[test]
fn scaled_value_table() {
    // TestScaledValue: NewScaledQuantity(1, from).ScaledValue(to).
    let table = [
        (-9, -9, 1),
        (-9, -6, 1),
        (-9, -3, 1),
        (-9, 0, 1),
        (-6, -9, 1000),
        (-6, -6, 1),
        (-6, -3, 1),
        (-6, 0, 1),
        (-3, -9, 1000 * 1000),
        (-3, -6, 1000),
        (-3, -3, 1),
        (-3, 0, 1),
        (0, -9, 1000 * 1000 * 1000),
        (0, -6, 1000 * 1000),
        (0, -3, 1000),
        (0, 0, 1),
        (2, -2, 100 * 100),
    ];
    for (from, to, expect) in table {
        assert_eq!(q(1, from, Dsi).scaled_value(to), expect, "{from} -> {to}");
    }
}

#[test]
fn cmp_table() {
    // TestQuantityCmp and the representable rows of TestQuantityCmpInt64AndDec.
    use std::cmp::Ordering::{Equal, Greater, Less};
    let parsed = [
        ("0", "0", Equal),
        ("100m", "50m", Greater),
        ("50m", "100m", Less),
        ("10000T", "100Gi", Greater),
    ];
    for (x, y, want) in parsed {
        assert_eq!(parse(x).cmp(&parse(y)), want, "{x} vs {y}");
    }
    let e18 = 1_000_000_000_000_000_000;
    let table = [
        ((901, -2), (901, -2), Equal),
        ((90, -1), (901, -2), Less),
        ((901, -2), (900, -2), Greater),
        ((0, 0), (0, 0), Equal),
        ((0, 1), (0, -1), Equal),
        ((800, -3), (1, 0), Less),
        ((800, -3), (79, -2), Greater),
        ((MAX, 0), (1, -1), Greater),
        ((MAX, 1), (1, 0), Greater),
        ((MAX, 1), (1, 1), Greater),
        ((MAX, 1), (0, 1), Greater),
        ((MIN, 0), (0, 0), Less),
        ((e18, -17), (1, 1), Equal),
        ((e18, -17), (-10, 0), Greater),
        ((-e18, -17), (-10, 0), Equal),
        ((e18, -17), (1, 0), Greater),
    ];
    for ((am, ae), (bm, be), want) in table {
        let (a, b) = (q(am, ae, Dsi), q(bm, be, Dsi));
        assert_eq!(a.cmp(&b), want, "{am}e{ae} vs {bm}e{be}");
        assert_eq!(b.cmp(&a), want.reverse(), "{bm}e{be} vs {am}e{ae}");
        assert_eq!(a == b, want == Equal);
    }
}

#[test]
fn arithmetic_tables() {
    // TestQuantityNeg
    assert_eq!((-q(901, -2, Dsi)).to_string(), "-9010m");
    // TestSub: a, b, a - b; TestAdd: a, b, a + b.
    let zero = Quantity::ZERO;
    let sub = [
        (q(10, 0, Dsi), q(1, 1, Dsi), q(0, 0, Dsi)),
        (q(10, 0, Dsi), q(1, 0, Bin), q(9, 0, Dsi)),
        (q(10, 0, Bin), q(1, 0, Dsi), q(9, 0, Bin)),
        (zero, q(50, 0, Dsi), q(-50, 0, Dsi)),
        (q(50, 0, Dsi), zero, q(50, 0, Dsi)),
        (zero, zero, q(0, 0, Dsi)),
    ];
    for (a, b, want) in sub {
        assert_eq!(a - b, want, "{a} - {b}");
        assert_eq!(
            (a - b).format(),
            if a.is_zero() { b.format() } else { a.format() }
        );
    }
    let add = [
        (q(10, 0, Dsi), q(1, 1, Dsi), q(20, 0, Dsi)),
        (q(10, 0, Dsi), q(1, 0, Bin), q(11, 0, Dsi)),
        (q(10, 0, Bin), q(1, 0, Dsi), q(11, 0, Bin)),
        (zero, q(50, 0, Dsi), q(50, 0, Dsi)),
        (q(50, 0, Dsi), zero, q(50, 0, Dsi)),
        (zero, zero, q(0, 0, Dsi)),
    ];
    for (a, b, want) in add {
        assert_eq!(a + b, want, "{a} + {b}");
    }
    // TestQuantityAddZeroPreservesSuffix / TestQuantitySubZeroPreservesSuffix
    for text in ["100m", "1Gi"] {
        let v = parse(text);
        let zero = parse("0");
        assert_eq!((v + zero).to_string(), text);
        assert_eq!((zero + v).to_string(), text);
        assert_eq!((v - zero).to_string(), text);
        assert_eq!((zero - v).to_string(), (-v).to_string());
    }
    // TestNeg
    for (a, want) in [
        (q(0, 0, Dsi), q(0, 0, Dsi)),
        (q(10, 0, Bin), q(-10, 0, Bin)),
        (q(-10, 0, Bin), q(10, 0, Bin)),
    ] {
        assert_eq!(-a, want);
        assert_eq!((-a).format(), a.format());
    }
    // TestNegAndSubAtMostNegative and TestZeroSubMostNegativeInheritsFormat.
    let most_negative = Quantity::from_int(i64::MIN, Dsi);
    assert_eq!((-most_negative).to_string(), "9223372036854775808");
    assert_eq!(
        (Quantity::ZERO - most_negative).to_string(),
        "9223372036854775808"
    );
    assert_eq!(
        (q(1, 0, Dsi) - most_negative).to_string(),
        "9223372036854775809"
    );
    assert_eq!(
        (q(1, 1, Dsi) - most_negative).to_string(),
        "9223372036854775818"
    );
    assert_eq!(
        (-Quantity::from_milli(i64::MIN, Dsi)).to_string(),
        "9223372036854775808m"
    );
    assert_eq!(
        (Quantity::from_milli(1, Dsi) - Quantity::from_milli(i64::MIN, Dsi)).to_string(),
        "9223372036854775809m"
    );
    let binary = Quantity::ZERO - Quantity::from_int(i64::MIN, Bin);
    assert_eq!(binary.format(), Bin);
    assert_eq!(binary.to_string(), "8Ei");
    assert_eq!(binary, parse("9223372036854775808"));
}

#[test]
fn add_sub_round_trip() {
    // TestAddSubRoundTrip / TestAddSubRoundTripAcrossScales, with a fixed
    // pseudo-random sequence.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 1) as i64
    };
    for k in -9..=10 {
        let terms: Vec<Quantity> = (0..100).map(|_| q(i128::from(next()), k, Dsi)).collect();
        let mut total = Quantity::ZERO;
        for t in &terms {
            total = total.checked_add(*t).expect("exact");
        }
        assert!(!total.is_zero());
        for t in &terms {
            total = total.checked_sub(*t).expect("exact");
        }
        assert!(total.is_zero(), "scale {k}: {total}");
    }
    let terms: Vec<Quantity> = (0..100)
        .map(|_| {
            let j = next();
            q(i128::from(j), (j % 19 - 9) as i32, Dsi)
        })
        .collect();
    let total: Quantity = terms.iter().sum();
    let back = terms.iter().fold(total, |acc, t| acc - *t);
    assert!(back.is_zero(), "{back}");
}

#[test]
fn nineteen_and_twenty_digit_table() {
    // TestParseQuantity: input and canonical text (empty: the input itself).
    let table = [
        ("-999999999999999999", ""),
        ("999999999999999999", ""),
        ("-999999999999999999.0", "-999999999999999999"),
        ("999999999999999999.0", "999999999999999999"),
        ("-999999999999999999.1", "-999999999999999999100m"),
        ("999999999999999999.1", "999999999999999999100m"),
        ("-9999999999999999999", ""),
        ("9999999999999999999", ""),
        ("-1E", ""),
        ("1E", ""),
        ("-1000000000000000000", "-1E"),
        ("1000000000000000000", "1E"),
        ("-9999999999999999999.0", "-9999999999999999999"),
        ("9999999999999999999.0", "9999999999999999999"),
        ("-1.0E", "-1E"),
        ("1.0E", "1E"),
        ("-1000000000000000000.0", "-1E"),
        ("1000000000000000000.0", "1E"),
        ("-9999999999999999999000m", "-9999999999999999999"),
        ("9999999999999999999000m", "9999999999999999999"),
        ("-9999999999999999999.1", "-9999999999999999999100m"),
        ("9999999999999999999.1", "9999999999999999999100m"),
        ("-1.0000000000000000001E", "-1000000000000000000100m"),
        ("1.0000000000000000001E", "1000000000000000000100m"),
        ("-1000000000000000000.1", "-1000000000000000000100m"),
        ("1000000000000000000.1", "1000000000000000000100m"),
        ("-1.000000000000000001E", "-1000000000000000001"),
        ("1.000000000000000001E", "1000000000000000001"),
        ("-1000000000000000001", ""),
        ("1000000000000000001", ""),
        ("-10E", ""),
        ("10E", ""),
        ("-10000000000000000000", "-10E"),
        ("10000000000000000000", "10E"),
        ("-10.0E", "-10E"),
        ("10.0E", "10E"),
        ("-10000000000000000000.0", "-10E"),
        ("10000000000000000000.0", "10E"),
        ("-10000000000000000000000m", "-10E"),
        ("10000000000000000000000m", "10E"),
        ("-10.0000000000000000001E", "-10000000000000000000100m"),
        ("10.0000000000000000001E", "10000000000000000000100m"),
        ("-10000000000000000000.1", "-10000000000000000000100m"),
        ("10000000000000000000.1", "10000000000000000000100m"),
        ("-10.000000000000000001E", "-10000000000000000001"),
        ("10.000000000000000001E", "10000000000000000001"),
        ("-10000000000000000001", ""),
        ("10000000000000000001", ""),
        ("-9223372036854775809", ""),
        ("9223372036854775806", ""),
        ("-9223372036854775809.0", "-9223372036854775809"),
        ("9223372036854775806.0", "9223372036854775806"),
        ("-9223372036854775809000m", "-9223372036854775809"),
        ("9223372036854775806000m", "9223372036854775806"),
        ("-9223372036854775809.1", "-9223372036854775809100m"),
        ("9223372036854775806.1", "9223372036854775806100m"),
        ("-9223372036854775808", ""),
        ("9223372036854775807", ""),
        ("-9223372036854775808.0", "-9223372036854775808"),
        ("9223372036854775807.0", "9223372036854775807"),
        ("-9223372036854775808000m", "-9223372036854775808"),
        ("9223372036854775807000m", "9223372036854775807"),
        ("-9223372036854775808.1", "-9223372036854775808100m"),
        ("9223372036854775807.1", "9223372036854775807100m"),
        ("-9223372036854775807", ""),
        ("9223372036854775808", ""),
        ("-9223372036854775807.0", "-9223372036854775807"),
        ("9223372036854775808.0", "9223372036854775808"),
        ("-9223372036854775807000m", "-9223372036854775807"),
        ("9223372036854775808000m", "9223372036854775808"),
        ("-9223372036854775807.1", "-9223372036854775807100m"),
        ("9223372036854775808.1", "9223372036854775808100m"),
    ];
    for (input, canonical) in table {
        let expect = if canonical.is_empty() {
            input
        } else {
            canonical
        };
        assert_eq!(parse(input).to_string(), expect, "{input}");
    }
    // TestMustParseMaxInt64
    assert_eq!(parse("9223372036854775807").checked_value(), Some(i64::MAX));
}

#[test]
fn golden_serialization() {
    // quantity_golden_test.go: String(), JSON. Where upstream's String()
    // echoes a cached non-canonical input ("1.441"), the canonical form its
    // TODO names is expected here.
    let cases: [(Quantity, &str); 29] = [
        (Quantity::ZERO, "0"),
        (parse("1"), "1"),
        (parse("-1"), "-1"),
        (parse("1Ki"), "1Ki"),
        (parse("1024Mi"), "1Gi"),
        (parse("1000M"), "1G"),
        (parse("1e3"), "1e3"),
        (parse("0.1"), "100m"),
        (Quantity::from_milli(1441, Dsi), "1441m"),
        (parse("0.000000000000001"), "1n"),
        (parse("1.441"), "1441m"),
        (parse("1.000001"), "1000001u"),
        (parse("1.000000001"), "1000000001n"),
        (parse("1.5"), "1500m"),
        (parse("9223372036854775807"), "9223372036854775807"),
        (Quantity::from_int(i64::MIN, Dsi), "-9223372036854775808"),
        (parse("9223372036854775808"), "9223372036854775808"),
        (parse("18446744073709551616"), "18446744073709551616"),
        (q(MAX, 1, Dsi), "92233720368547758070"),
        (parse("1E"), "1E"),
        (parse("100E"), "100E"),
        (parse("1000E"), "1e21"),
        (parse("1e100"), "10e99"),
        (q(1, 21, Dsi), "1e21"),
        (parse("8Ei"), "9223372036854775807"),
        (parse("-20Ei"), "-9223372036854775807"),
        (parse("-9.5Gi"), "-9728Mi"),
        (parse("-9.5000000001Gi"), "-10200547328107374183n"),
        (parse("+1"), "1"),
    ];
    for (value, want) in cases {
        assert_eq!(value.to_string(), want);
        let json = serde_json::to_string(&value).expect("serialize");
        assert_eq!(json, format!("\"{want}\""));
        let back: Quantity = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(back, value, "{want}");
        assert_eq!(
            serde_json::to_string(&back).expect("serialize"),
            json,
            "byte-stable {want}"
        );
        // Adding zero changes neither value nor text.
        assert_eq!((value + Quantity::ZERO).to_string(), want);
    }
}

#[test]
fn sub_nano_rounds_up() {
    // TestParseQuantitySubNanoRoundsUp
    let table = [
        ("1e-2147483647", "1n"),
        ("-1e-2147483647", "-1n"),
        ("1e-100", "1n"),
        ("-1e-100", "-1n"),
        ("1e-10", "1n"),
        ("9e-10", "1n"),
        ("-9e-10", "-1n"),
        ("1e-9", "1n"),
        ("-1e-9", "-1n"),
        ("2e-9", "2n"),
        ("15e-10", "2n"),
        ("1000000000000000000000e-30", "1n"),
        ("1000000000000000000001e-30", "2n"),
        ("999999999999999999999e-30", "1n"),
        ("0e-2147483647", "0"),
        ("0.0e-100", "0"),
        ("0.00000000000000000000001Ki", "1n"),
        // beyond int32 (upstream would wrap the exponent)
        ("1e-9223372036854775808", "1n"),
    ];
    for (input, want) in table {
        assert_eq!(parse(input), parse(want), "{input}");
    }
    // TestParseQuantitySubNanoMatchesRound
    let formatted = [
        ("1e-100", "1e-9", Exp),
        ("0.0000000000001", "1n", Dsi),
        ("-0.0000000000001", "-1n", Dsi),
        ("0.00000000000000000000001Ki", "1n", Dsi),
    ];
    for (input, want, format) in formatted {
        let got = parse(input);
        assert_eq!(
            (got.to_string().as_str(), got.format()),
            (want, format),
            "{input}"
        );
    }
}

#[test]
fn float_tables() {
    // TestQuantityAsFloat64Slow: the correctly rounded value (upstream's
    // AsApproximateFloat64 table differs only at 7Mi × 10^-1, which it
    // computes as 7340032 * 0.1 = 734003.2000000001).
    let mi7 = 7 * 1024 * 1024;
    for format in [Dsi, Bin, Exp] {
        let table: [(i128, i32, f64); 11] = [
            (0, 0, 0.0),
            (1, 0, 1.0),
            (1024, 0, 1024.0),
            (8 * 1024, 0, 8192.0),
            (mi7, 0, 7340032.0),
            (mi7, 1, 73400320.0),
            (mi7, 4, 73400320000.0),
            (mi7, 8, 734003200000000.0),
            (mi7, -1, 7340032.0 / 10.0),
            (mi7, -8, 7340032.0 / 100000000.0),
            (12, 18, 1.2e19),
        ];
        for (m, e, want) in table {
            assert_eq!(q(m, e, format).as_approximate_f64(), want, "{m}e{e}");
        }
    }
    assert_eq!(q(MAX, 0, Bin).as_approximate_f64(), i64::MAX as f64);
    assert_eq!(q(12, 500, Dsi).as_approximate_f64(), f64::INFINITY);
    assert_eq!(q(-12, 500, Dsi).as_approximate_f64(), f64::NEG_INFINITY);
    // TestStringQuantityAsApproximateFloat64
    for (input, want) in [
        ("2Ki", 2048.0),
        ("1.1Ki", 1126.4),
        ("1Mi", 1.048576e6),
        ("2Gi", 2.147483648e9),
    ] {
        assert_eq!(parse(input).as_approximate_f64(), want, "{input}");
    }
    assert_eq!(parse("250m").as_approximate_f64(), 0.25);
    assert_eq!(parse("-1n").as_approximate_f64(), -1e-9);
}

#[test]
fn checked_accessors() {
    // TestQuantityValueSaturates
    assert_eq!(q(MAX, 1, Dsi).value(), i64::MAX);
    assert_eq!(q(MIN, 1, Dsi).value(), i64::MIN);
    assert_eq!(q(MAX, 0, Dsi).milli_value(), i64::MAX);
    // TestQuantityAsScaledInt64Boundaries
    assert_eq!(q(MAX, 1, Dsi).checked_scaled_value(0), None);
    assert_eq!(q(MIN, 1, Dsi).checked_scaled_value(0), None);
    assert_eq!(q(12345, 0, Dsi).checked_scaled_value(0), Some(12345));
    assert_eq!(q(5, 0, Dsi).checked_milli_value(), Some(5000));
    assert_eq!(q(MAX, 0, Dsi).checked_milli_value(), None);
    assert_eq!(q(MIN, 0, Dsi).checked_milli_value(), None);
    assert_eq!(q(MIN, 0, Dsi).milli_value(), i64::MIN);
    // TestQuantityDecOnlyOverflow
    let table = [
        ("1e100", i64::MAX, false),
        ("-1e100", i64::MIN, false),
        ("9223372036854775807", i64::MAX, true),
        ("-9223372036854775808", i64::MIN, true),
        ("9223372036854775808", i64::MAX, false),
        ("-9223372036854775809", i64::MIN, false),
    ];
    for (input, want, ok) in table {
        let v = parse(input);
        assert_eq!(v.value(), want, "{input}");
        assert_eq!(v.checked_value().is_some(), ok, "{input}");
    }
    // TestScaledValueSaturationAndRounding, through quantities.
    assert_eq!(q(95, -1, Dsi).value(), 10);
    assert_eq!(q(-95, -1, Dsi).value(), -10);
    assert_eq!(q(100, -1, Dsi).value(), 10);
    assert_eq!(q(1, -3, Dsi).value(), 1);
    assert_eq!(q(-1, -3, Dsi).value(), -1);
    assert_eq!(
        q(100_000_000_000_000_000_005, -5, Dsi).value(),
        1_000_000_000_000_001
    );
    assert_eq!(
        q(-100_000_000_000_000_000_005, -5, Dsi).value(),
        -1_000_000_000_000_001
    );
    assert_eq!(parse("1e30").scaled_value(3), i64::MAX);
    assert_eq!(parse("-1e30").milli_value(), i64::MIN);
    // TestQuantityExtremeScaleStaysBounded / TestQuantityDecExtremeTarget
    assert_eq!(q(7, 0, Dsi).scaled_value(2_000_000_000), 1);
    assert_eq!(q(-7, 0, Dsi).scaled_value(2_000_000_000), -1);
    assert_eq!(q(7, 0, Dsi).checked_scaled_value(-2_000_000_000), None);
    assert_eq!(q(0, 0, Dsi).checked_scaled_value(-2_000_000_000), Some(0));
    assert_eq!(parse("7").scaled_value(i32::MIN), i64::MAX);
    assert_eq!(parse("7").checked_scaled_value(i32::MAX), Some(1));
    assert_eq!(parse("-7").scaled_value(i32::MIN), i64::MIN);
    // Rounding away from zero at milli precision.
    assert_eq!(parse("1.0001m").milli_value(), 2);
    assert_eq!(parse("-1.0001m").milli_value(), -2);
    assert_eq!(parse("0.1m").milli_value(), 1);
    assert_eq!(parse("1.1").value(), 2);
    assert_eq!(parse("-1.1").value(), -2);
    assert_eq!(parse("100m").value(), 1);
    assert_eq!(parse("1Ki").milli_value(), 1_024_000);
}

#[test]
fn hpa_status_and_issue_examples() {
    let cases = [
        (Quantity::from_milli(610, Dsi), "610m"),
        (Quantity::from_milli(382_440_448_000, Dsi), "382440448"),
        (Quantity::from_milli(382_440_448_000, Bin), "373477Ki"),
        (Quantity::from_milli(344_142_402_615, Bin), "344142402615m"),
        (parse("10.5"), "10500m"),
        (Quantity::from_int(1000, Dsi), "1k"),
        (Quantity::from_int(1_048_576, Bin), "1Mi"),
        (parse("1.5"), "1500m"),
        (parse("0.5Gi"), "512Mi"),
        (parse("1536Mi"), "1536Mi"),
        (parse("1e3"), "1e3"),
        (Quantity::from_milli(1500, Exp), "1500e-3"),
        (parse("12E"), "12E"),
        (parse("-12E"), "-12E"),
        (parse("-1.5Gi"), "-1536Mi"),
        (parse("9007199254740993"), "9007199254740993"),
        (parse("5."), "5"),
        (parse(".5"), "500m"),
        (parse("1E3"), "1e3"),
        (parse("01"), "1"),
        (Quantity::from_int(0, Bin), "0"),
        // A binary value without a power of 1024 prints bare, and reads back
        // as decimal SI.
        (Quantity::from_int(2000, Bin), "2000"),
        (parse("2000"), "2k"),
    ];
    for (value, want) in cases {
        assert_eq!(value.to_string(), want, "{value:?}");
    }
    assert_eq!(parse("9007199254740993").value(), 9_007_199_254_740_993);
    assert_eq!(parse("64Mi").value(), 64 << 20);
    assert_eq!(parse("250m").milli_value(), 250);
    assert_eq!(parse("1Ki").format(), Bin);
    assert_eq!(parse("1e3").format(), Exp);
    assert_eq!(parse("1k").format(), Dsi);
    assert_eq!(parse("-250m").sign(), -1);
    assert_eq!(parse("0Ki").sign(), 0);
    assert_eq!(parse("1n").sign(), 1);
}
