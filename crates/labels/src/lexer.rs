//! The tokenizer of the selector string syntax, as apimachinery's `labels.Lexer` splits it.

use std::borrow::Cow;

/// A token kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token {
    Error,
    EndOfString,
    ClosedPar,
    Comma,
    DoesNotExist,
    DoubleEquals,
    Equals,
    GreaterThan,
    Identifier,
    In,
    LessThan,
    NotEquals,
    NotIn,
    OpenPar,
}

fn keyword(s: &[u8]) -> Option<Token> {
    Some(match s {
        b")" => Token::ClosedPar,
        b"," => Token::Comma,
        b"!" => Token::DoesNotExist,
        b"==" => Token::DoubleEquals,
        b"=" => Token::Equals,
        b">" => Token::GreaterThan,
        b"in" => Token::In,
        b"<" => Token::LessThan,
        b"!=" => Token::NotEquals,
        b"notin" => Token::NotIn,
        b"(" => Token::OpenPar,
        _ => return None,
    })
}

fn is_whitespace(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_special(c: u8) -> bool {
    matches!(c, b'=' | b'!' | b'(' | b')' | b',' | b'>' | b'<')
}

/// Splits a selector string into tokens, ending with [`Token::EndOfString`]. Literals
/// borrow from the input (every token starts and ends next to an ASCII byte, so slicing
/// there is always on a character boundary); only an error token's message is built.
pub(crate) fn tokens(input: &str) -> Vec<(Token, Cow<'_, str>)> {
    let s = input.as_bytes();
    let mut pos = 0;
    let mut out = Vec::new();
    loop {
        while pos < s.len() && is_whitespace(s[pos]) {
            pos += 1;
        }
        // Go's lexer reads a NUL byte as the end of the input.
        if pos >= s.len() || s[pos] == 0 {
            out.push((Token::EndOfString, Cow::Borrowed("")));
            return out;
        }
        if is_special(s[pos]) {
            let start = pos;
            let mut last: Option<(Token, usize)> = None;
            while pos < s.len() && is_special(s[pos]) {
                let candidate = &s[start..=pos];
                if let Some(tok) = keyword(candidate) {
                    last = Some((tok, pos + 1));
                } else if last.is_some() {
                    break;
                }
                pos += 1;
            }
            match last {
                Some((tok, end)) => {
                    out.push((tok, Cow::Borrowed(&input[start..end])));
                    pos = end;
                }
                None => out.push((
                    Token::Error,
                    Cow::Owned(format!(
                        "error expected: keyword found '{}'",
                        &input[start..pos]
                    )),
                )),
            }
        } else {
            let start = pos;
            while pos < s.len() && s[pos] != 0 && !is_special(s[pos]) && !is_whitespace(s[pos]) {
                pos += 1;
            }
            let word = &input[start..pos];
            out.push((
                keyword(word.as_bytes()).unwrap_or(Token::Identifier),
                Cow::Borrowed(word),
            ));
        }
    }
}
