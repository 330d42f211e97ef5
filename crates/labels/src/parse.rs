//! `labels.Parse`: the selector string syntax (`a=b,c!=d,e in (x,y),!f,g`) with upstream's
//! error messages, which the HPA puts into its `InvalidSelector` condition.

use std::borrow::Cow;
use std::cell::Cell;

use super::lexer::{Token, tokens};
use super::requirement::{Operator, Requirement, Selector};
use super::validate::new_requirement;

/// Parses a selector string as `labels.Parse` does.
pub fn parse(input: &str) -> Result<Selector, String> {
    let p = Parser {
        items: tokens(input),
        pos: Cell::new(0),
    };
    let mut requirements = Vec::new();
    loop {
        let (tok, lit) = p.lookahead(true);
        match tok {
            Token::Identifier | Token::DoesNotExist => {
                let r = p
                    .requirement()
                    .map_err(|e| format!("unable to parse requirement: {e}"))?;
                requirements.push(r);
                let (t, l) = p.consume(true);
                match t {
                    Token::EndOfString => return Ok(Selector::new(requirements)),
                    Token::Comma => {
                        let (t2, l2) = p.lookahead(true);
                        if t2 != Token::Identifier && t2 != Token::DoesNotExist {
                            return Err(format!("found '{l2}', expected: identifier after ','"));
                        }
                    }
                    _ => return Err(format!("found '{l}', expected: ',' or 'end of string'")),
                }
            }
            Token::EndOfString => return Ok(Selector::new(requirements)),
            _ => {
                return Err(format!(
                    "found '{lit}', expected: !, identifier, or 'end of string'"
                ));
            }
        }
    }
}

/// The tokens and the position in them; the literals handed out borrow from the tokens,
/// so the position is a `Cell` and every step takes `&self`.
struct Parser<'a> {
    items: Vec<(Token, Cow<'a, str>)>,
    pos: Cell<usize>,
}

impl Parser<'_> {
    /// The current token; in the values context `in` and `notin` are identifiers.
    fn lookahead(&self, values: bool) -> (Token, &str) {
        let (tok, lit) = &self.items[self.pos.get().min(self.items.len() - 1)];
        (relabel(*tok, values), lit)
    }

    fn consume(&self, values: bool) -> (Token, &str) {
        let item = self.lookahead(values);
        let pos = self.pos.get();
        if pos < self.items.len() - 1 {
            self.pos.set(pos + 1);
        }
        item
    }

    fn requirement(&self) -> Result<Requirement, String> {
        let (key, op) = self.key_and_inferred_operator()?;
        if let Some(op @ (Operator::Exists | Operator::DoesNotExist)) = op {
            return new_requirement(key, op, Vec::new());
        }
        let op = self.operator()?;
        let values = match op {
            Operator::In | Operator::NotIn => self.values()?,
            _ => self.exact_value()?,
        };
        new_requirement(key, op, values)
    }

    fn key_and_inferred_operator(&self) -> Result<(&str, Option<Operator>), String> {
        let mut op = None;
        let (mut tok, mut lit) = self.consume(true);
        if tok == Token::DoesNotExist {
            op = Some(Operator::DoesNotExist);
            (tok, lit) = self.consume(true);
        }
        if tok != Token::Identifier {
            return Err(format!("found '{lit}', expected: identifier"));
        }
        super::validate::label_key(lit)?;
        let (next, _) = self.lookahead(true);
        if (next == Token::EndOfString || next == Token::Comma) && op.is_none() {
            op = Some(Operator::Exists);
        }
        Ok((lit, op))
    }

    fn operator(&self) -> Result<Operator, String> {
        let (tok, lit) = self.consume(false);
        Ok(match tok {
            Token::In => Operator::In,
            Token::Equals => Operator::Equals,
            Token::DoubleEquals => Operator::DoubleEquals,
            Token::GreaterThan => Operator::GreaterThan,
            Token::LessThan => Operator::LessThan,
            Token::NotIn => Operator::NotIn,
            Token::NotEquals => Operator::NotEquals,
            _ => {
                return Err(format!(
                    "found '{lit}', expected: in, notin, =, ==, !=, gt, lt"
                ));
            }
        })
    }

    fn values(&self) -> Result<Vec<String>, String> {
        let (tok, lit) = self.consume(true);
        if tok != Token::OpenPar {
            return Err(format!("found '{lit}' expected: '('"));
        }
        let (tok, lit) = self.lookahead(true);
        match tok {
            Token::Identifier | Token::Comma => {
                let set = self.identifiers()?;
                let (tok, _) = self.consume(true);
                if tok != Token::ClosedPar {
                    return Err(format!("found '{lit}', expected: ')'"));
                }
                Ok(set)
            }
            Token::ClosedPar => {
                self.consume(true);
                Ok(vec![String::new()])
            }
            _ => Err(format!("found '{lit}', expected: ',', ')' or identifier")),
        }
    }

    /// A comma-separated list inside parentheses, as a sorted set (empty items count as "").
    fn identifiers(&self) -> Result<Vec<String>, String> {
        let mut set = std::collections::BTreeSet::new();
        loop {
            let (tok, lit) = self.consume(true);
            match tok {
                Token::Identifier => {
                    set.insert(lit.to_string());
                    let (t2, l2) = self.lookahead(true);
                    match t2 {
                        Token::Comma => continue,
                        Token::ClosedPar => return Ok(set.into_iter().collect()),
                        _ => return Err(format!("found '{l2}', expected: ',' or ')'")),
                    }
                }
                Token::Comma => {
                    if set.is_empty() {
                        set.insert(String::new());
                    }
                    let (t2, _) = self.lookahead(true);
                    if t2 == Token::ClosedPar {
                        set.insert(String::new());
                        return Ok(set.into_iter().collect());
                    }
                    if t2 == Token::Comma {
                        self.consume(true);
                        set.insert(String::new());
                    }
                }
                _ => return Err(format!("found '{lit}', expected: ',', or identifier")),
            }
        }
    }

    fn exact_value(&self) -> Result<Vec<String>, String> {
        let (tok, _) = self.lookahead(true);
        if tok == Token::EndOfString || tok == Token::Comma {
            return Ok(vec![String::new()]);
        }
        let (tok, lit) = self.consume(true);
        if tok == Token::Identifier {
            Ok(vec![lit.to_string()])
        } else {
            Err(format!("found '{lit}', expected: identifier"))
        }
    }
}

fn relabel(tok: Token, values: bool) -> Token {
    if values && matches!(tok, Token::In | Token::NotIn) {
        Token::Identifier
    } else {
        tok
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parses_and_prints_canonically() {
        let cases = [
            ("run=php-apache", "run=php-apache"),
            ("b=2, a=1", "a=1,b=2"),
            (
                "app in (z,a), !tier, env!=prod",
                "app in (a,z),env!=prod,!tier",
            ),
            ("x notin (b,a)", "x notin (a,b)"),
            ("k", "k"),
            ("k==v", "k==v"),
            ("n>5", "n>5"),
            ("", ""),
            ("in=notin", "in=notin"),
        ];
        for (input, want) in cases {
            assert_eq!(parse(input).unwrap().to_string(), want, "{input}");
        }
    }

    #[test]
    fn upstream_error_messages() {
        assert_eq!(
            parse("app in (thumbnailer").unwrap_err(),
            "unable to parse requirement: found '', expected: ',' or ')'"
        );
        assert_eq!(
            parse("a=b,").unwrap_err(),
            "found '', expected: identifier after ','"
        );
        assert_eq!(
            parse("=b").unwrap_err(),
            "found '=', expected: !, identifier, or 'end of string'"
        );
        assert_eq!(
            parse("a b").unwrap_err(),
            "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"
        );
    }

    #[test]
    fn matches_like_upstream() {
        let l = labels(&[("app", "web"), ("tier", "front"), ("n", "7")]);
        assert!(parse("app=web").unwrap().matches(&l));
        assert!(parse("app in (web,api),tier").unwrap().matches(&l));
        assert!(!parse("app notin (web)").unwrap().matches(&l));
        assert!(parse("!missing,n>5,n<8").unwrap().matches(&l));
        assert!(!parse("n>7").unwrap().matches(&l));
        assert!(parse("").unwrap().matches(&l));
        assert!(parse("other!=x").unwrap().matches(&l));
    }
}
