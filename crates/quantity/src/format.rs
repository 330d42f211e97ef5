//! The three ways a quantity prints its suffix, and their suffix tables.

/// How a quantity prints its suffix (upstream's `resource.Format`).
///
/// Parsing remembers the kind of suffix it saw, and printing uses the same
/// kind again: `Ki`…`Ei` give [`Format::BinarySI`], `e3`/`E-6` give
/// [`Format::DecimalExponent`], everything else [`Format::DecimalSI`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// Decimal SI suffixes: `n`, `u`, `m`, none, `k`, `M`, `G`, `T`, `P`, `E`
    /// (e.g. `12M` is `12 × 10^6`).
    #[default]
    DecimalSI,
    /// Binary SI suffixes: `Ki`, `Mi`, `Gi`, `Ti`, `Pi`, `Ei` (e.g. `12Mi` is
    /// `12 × 2^20`).
    BinarySI,
    /// A decimal exponent: `e3`, `E6`, `e-3` (e.g. `12e6`).
    DecimalExponent,
}

impl Format {
    /// The name apimachinery gives the format (`"DecimalSI"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::DecimalSI => "DecimalSI",
            Format::BinarySI => "BinarySI",
            Format::DecimalExponent => "DecimalExponent",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The decimal SI suffix for a power of ten that is a multiple of three in
/// `-9..=18`.
pub(crate) fn decimal_si_suffix(exponent: i64) -> Option<&'static str> {
    Some(match exponent {
        -9 => "n",
        -6 => "u",
        -3 => "m",
        0 => "",
        3 => "k",
        6 => "M",
        9 => "G",
        12 => "T",
        15 => "P",
        18 => "E",
        _ => return None,
    })
}

/// The binary SI suffix for `1024^power`, `power` in `0..=6`.
pub(crate) fn binary_si_suffix(power: u32) -> Option<&'static str> {
    Some(match power {
        0 => "",
        1 => "Ki",
        2 => "Mi",
        3 => "Gi",
        4 => "Ti",
        5 => "Pi",
        6 => "Ei",
        _ => return None,
    })
}

/// What a suffix means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Suffix {
    /// `× 10^exp`, printed as decimal SI.
    DecimalSI(i64),
    /// `× 2^bits`, printed as binary SI.
    BinarySI(u32),
    /// `× 10^exp`, printed with an exponent.
    Exponent(i64),
}

impl Suffix {
    /// Interprets a suffix the way apimachinery's suffixer does; `None` for
    /// an unknown suffix.
    pub(crate) fn interpret(s: &[u8]) -> Option<Suffix> {
        Some(match s {
            b"" => Suffix::DecimalSI(0),
            b"n" => Suffix::DecimalSI(-9),
            b"u" => Suffix::DecimalSI(-6),
            b"m" => Suffix::DecimalSI(-3),
            b"k" => Suffix::DecimalSI(3),
            b"M" => Suffix::DecimalSI(6),
            b"G" => Suffix::DecimalSI(9),
            b"T" => Suffix::DecimalSI(12),
            b"P" => Suffix::DecimalSI(15),
            b"E" => Suffix::DecimalSI(18),
            b"Ki" => Suffix::BinarySI(10),
            b"Mi" => Suffix::BinarySI(20),
            b"Gi" => Suffix::BinarySI(30),
            b"Ti" => Suffix::BinarySI(40),
            b"Pi" => Suffix::BinarySI(50),
            b"Ei" => Suffix::BinarySI(60),
            [b'e' | b'E', rest @ ..] if !rest.is_empty() => Suffix::Exponent(parse_go_int64(rest)?),
            _ => return None,
        })
    }

    /// The format a quantity with this suffix prints in.
    pub(crate) fn format(self) -> crate::Format {
        match self {
            Suffix::DecimalSI(_) => crate::Format::DecimalSI,
            Suffix::BinarySI(_) => crate::Format::BinarySI,
            Suffix::Exponent(_) => crate::Format::DecimalExponent,
        }
    }
}

/// Go's `strconv.ParseInt(s, 10, 64)`: an optional sign, then at least one
/// ASCII digit, and nothing else; `None` on anything else or overflow.
fn parse_go_int64(s: &[u8]) -> Option<i64> {
    let (negative, digits) = match s {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, s),
    };
    if digits.is_empty() {
        return None;
    }
    // Accumulate negatively so that i64::MIN parses.
    let mut v: i64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_sub(i64::from(c - b'0'))?;
    }
    if negative { Some(v) } else { v.checked_neg() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_int64() {
        assert_eq!(parse_go_int64(b"3"), Some(3));
        assert_eq!(parse_go_int64(b"+03"), Some(3));
        assert_eq!(parse_go_int64(b"-3"), Some(-3));
        assert_eq!(parse_go_int64(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_go_int64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_go_int64(b"9223372036854775808"), None);
        assert_eq!(parse_go_int64(b""), None);
        assert_eq!(parse_go_int64(b"+"), None);
        assert_eq!(parse_go_int64(b"1e"), None);
    }

    #[test]
    fn suffixes() {
        assert_eq!(Suffix::interpret(b"E"), Some(Suffix::DecimalSI(18)));
        assert_eq!(Suffix::interpret(b"E3"), Some(Suffix::Exponent(3)));
        assert_eq!(Suffix::interpret(b"e-3"), Some(Suffix::Exponent(-3)));
        assert_eq!(Suffix::interpret(b"e"), None);
        assert_eq!(Suffix::interpret(b"ki"), None);
        assert_eq!(Suffix::interpret(b"Ki3"), None);
        assert_eq!(Suffix::interpret(b"EE"), None);
    }
}
