//! The selector string parser: a small tokenizer and a recursive-descent parser following
//! apimachinery's `labels.Parse` grammar, with key and value validation.

use std::collections::BTreeSet;

use super::Requirement;

/// Why a selector string could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectorError {
    /// A token appeared where it is not allowed.
    #[error("unable to parse requirement: found '{found}', expected: {expected}")]
    Unexpected {
        /// What was found.
        found: String,
        /// What the grammar allows there.
        expected: &'static str,
    },
    /// A label key is not a valid qualified name.
    #[error("invalid label key {key:?}: {reason}")]
    InvalidKey {
        /// The key.
        key: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A label value is not valid.
    #[error("invalid label value {value:?}: {reason}")]
    InvalidValue {
        /// The value.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// `in`/`notin` with an empty value set.
    #[error("for 'in', 'notin' operators, values set can't be empty")]
    EmptySet,
    /// `<`/`>`, which the metrics APIs cannot express as a LabelSelector.
    #[error("operator '{0}' is not supported in metric selectors")]
    Unsupported(&'static str),
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    Comma,
    Eq,
    NotEq,
    Bang,
    Open,
    Close,
    Gt,
    Lt,
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Token::Ident(s) => s.clone(),
            Token::Comma => ",".into(),
            Token::Eq => "=".into(),
            Token::NotEq => "!=".into(),
            Token::Bang => "!".into(),
            Token::Open => "(".into(),
            Token::Close => ")".into(),
            Token::Gt => ">".into(),
            Token::Lt => "<".into(),
        }
    }
}

fn tokenize(s: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            c if c.is_whitespace() => i += 1,
            ',' => {
                out.push(Token::Comma);
                i += 1;
            }
            '(' => {
                out.push(Token::Open);
                i += 1;
            }
            ')' => {
                out.push(Token::Close);
                i += 1;
            }
            '>' => {
                out.push(Token::Gt);
                i += 1;
            }
            '<' => {
                out.push(Token::Lt);
                i += 1;
            }
            '=' => {
                out.push(Token::Eq);
                i += if next == Some('=') { 2 } else { 1 };
            }
            '!' if next == Some('=') => {
                out.push(Token::NotEq);
                i += 2;
            }
            '!' => {
                out.push(Token::Bang);
                i += 1;
            }
            _ => {
                let start = i;
                while i < chars.len() && !is_special(chars[i]) {
                    i += 1;
                }
                out.push(Token::Ident(chars[start..i].iter().collect()));
            }
        }
    }
    out
}

fn is_special(c: char) -> bool {
    c.is_whitespace() || matches!(c, ',' | '=' | '!' | '(' | ')' | '<' | '>')
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn unexpected(found: Option<Token>, expected: &'static str) -> SelectorError {
        SelectorError::Unexpected {
            found: found.map_or_else(|| "end of string".into(), |t| t.describe()),
            expected,
        }
    }

    fn requirement(&mut self) -> Result<Requirement, SelectorError> {
        if self.peek() == Some(&Token::Bang) {
            self.pos += 1;
            let key = self.key()?;
            return Ok(Requirement::DoesNotExist(key));
        }
        let key = self.key()?;
        match self.peek().cloned() {
            None | Some(Token::Comma) => Ok(Requirement::Exists(key)),
            Some(Token::Eq) | Some(Token::NotEq) => {
                let op = self.next();
                let value = match self.peek() {
                    None | Some(Token::Comma) => String::new(),
                    Some(Token::Ident(_)) => match self.next() {
                        Some(Token::Ident(v)) => v,
                        other => return Err(Self::unexpected(other, "a value")),
                    },
                    _ => return Err(Self::unexpected(self.next(), "a value")),
                };
                validate_value(&value)?;
                Ok(if op == Some(Token::Eq) {
                    Requirement::Equals(key, value)
                } else {
                    Requirement::NotEquals(key, value)
                })
            }
            Some(Token::Ident(word)) if word == "in" || word == "notin" => {
                self.pos += 1;
                let values = self.values()?;
                Ok(if word == "in" {
                    Requirement::In(key, values)
                } else {
                    Requirement::NotIn(key, values)
                })
            }
            Some(Token::Gt) => Err(SelectorError::Unsupported(">")),
            Some(Token::Lt) => Err(SelectorError::Unsupported("<")),
            other => {
                self.pos += 1;
                Err(Self::unexpected(
                    other,
                    "'=', '!=', 'in', 'notin', ',' or end of string",
                ))
            }
        }
    }

    fn key(&mut self) -> Result<String, SelectorError> {
        match self.next() {
            Some(Token::Ident(k)) => {
                validate_key(&k)?;
                Ok(k)
            }
            other => Err(Self::unexpected(other, "a label key")),
        }
    }

    fn values(&mut self) -> Result<BTreeSet<String>, SelectorError> {
        match self.next() {
            Some(Token::Open) => {}
            other => return Err(Self::unexpected(other, "'('")),
        }
        let mut values = BTreeSet::new();
        if self.peek() == Some(&Token::Close) {
            return Err(SelectorError::EmptySet);
        }
        loop {
            match self.next() {
                Some(Token::Ident(v)) => {
                    validate_value(&v)?;
                    values.insert(v);
                }
                other => return Err(Self::unexpected(other, "a value")),
            }
            match self.next() {
                Some(Token::Comma) => continue,
                Some(Token::Close) => return Ok(values),
                other => return Err(Self::unexpected(other, "',' or ')'")),
            }
        }
    }
}

/// Parses a selector string into its requirements (unsorted).
pub(super) fn parse(s: &str) -> Result<Vec<Requirement>, SelectorError> {
    let mut p = Parser {
        tokens: tokenize(s),
        pos: 0,
    };
    let mut out = Vec::new();
    if p.tokens.is_empty() {
        return Ok(out);
    }
    loop {
        out.push(p.requirement()?);
        match p.next() {
            None => return Ok(out),
            Some(Token::Comma) => {
                if p.peek().is_none() {
                    return Err(Parser::unexpected(None, "a requirement after ','"));
                }
            }
            other => return Err(Parser::unexpected(other, "',' or end of string")),
        }
    }
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.chars().all(is_name_char)
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.ends_with(|c: char| c.is_ascii_alphanumeric())
}

fn valid_dns_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !part.starts_with('-')
                && !part.ends_with('-')
        })
}

fn validate_key(k: &str) -> Result<(), SelectorError> {
    let err = |reason| SelectorError::InvalidKey {
        key: k.to_string(),
        reason,
    };
    let (prefix, name) = match k.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, k),
    };
    if let Some(p) = prefix
        && !valid_dns_subdomain(p)
    {
        return Err(err("the prefix must be a DNS subdomain"));
    }
    if !valid_name(name) {
        return Err(err(
            "a name must be at most 63 characters of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric",
        ));
    }
    Ok(())
}

fn validate_value(v: &str) -> Result<(), SelectorError> {
    if v.is_empty() || valid_name(v) {
        Ok(())
    } else {
        Err(SelectorError::InvalidValue {
            value: v.to_string(),
            reason: "a value must be empty or at most 63 characters of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric",
        })
    }
}
