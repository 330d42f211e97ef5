//! Label selectors with the full Kubernetes syntax: `a=b`, `a==b`, `a!=b`, `a in (x,y)`,
//! `a notin (x)`, `a`, `!a`, `a>1`, `a<1`, joined by commas.

use std::fmt;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector as K8sLabelSelector;
use serde_json::Value;

use super::SelectorError;

/// How a [`Requirement`] compares a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Operator {
    /// `key=value` / `key==value`.
    Equals,
    /// `key!=value` (also true when the label is missing).
    NotEquals,
    /// `key in (a,b)`.
    In,
    /// `key notin (a,b)` (also true when the label is missing).
    NotIn,
    /// `key`.
    Exists,
    /// `!key`.
    DoesNotExist,
    /// `key>n` (integer comparison).
    GreaterThan,
    /// `key<n` (integer comparison).
    LessThan,
}

/// One clause of a label selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// Label key.
    pub key: String,
    /// Comparison.
    pub operator: Operator,
    /// Values compared against (sorted for set operators).
    pub values: Vec<String>,
}

/// A parsed label selector; the empty selector matches everything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LabelSelector {
    requirements: Vec<Requirement>,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    Eq,
    NotEq,
    Not,
    Open,
    Close,
    Comma,
    Gt,
    Lt,
}

fn is_ident_char(c: char) -> bool {
    !matches!(c, '=' | '!' | '(' | ')' | ',' | '<' | '>') && !c.is_whitespace()
}

fn lex(s: &str) -> Result<Vec<Token>, SelectorError> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '=' => {
                i += if chars.get(i + 1) == Some(&'=') { 2 } else { 1 };
                tokens.push(Token::Eq);
            }
            '!' if chars.get(i + 1) == Some(&'=') => {
                i += 2;
                tokens.push(Token::NotEq);
            }
            '!' => {
                i += 1;
                tokens.push(Token::Not);
            }
            '(' => {
                i += 1;
                tokens.push(Token::Open);
            }
            ')' => {
                i += 1;
                tokens.push(Token::Close);
            }
            ',' => {
                i += 1;
                tokens.push(Token::Comma);
            }
            '>' => {
                i += 1;
                tokens.push(Token::Gt);
            }
            '<' => {
                i += 1;
                tokens.push(Token::Lt);
            }
            _ => {
                let start = i;
                while i < chars.len() && is_ident_char(chars[i]) {
                    i += 1;
                }
                tokens.push(Token::Ident(chars[start..i].iter().collect()));
            }
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    source: String,
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

    fn err(&self, what: &str) -> SelectorError {
        SelectorError(format!("{}: {what}", self.source))
    }

    fn ident(&mut self, what: &str) -> Result<String, SelectorError> {
        match self.next() {
            Some(Token::Ident(s)) => Ok(s),
            _ => Err(self.err(what)),
        }
    }

    fn at_clause_end(&self) -> bool {
        matches!(self.peek(), None | Some(Token::Comma))
    }

    fn requirement(&mut self) -> Result<Requirement, SelectorError> {
        if self.peek() == Some(&Token::Not) {
            self.pos += 1;
            let key = self.ident("expected a key after '!'")?;
            return Ok(Requirement {
                key,
                operator: Operator::DoesNotExist,
                values: vec![],
            });
        }
        let key = self.ident("expected a key")?;
        if self.at_clause_end() {
            return Ok(Requirement {
                key,
                operator: Operator::Exists,
                values: vec![],
            });
        }
        let operator = match self.next() {
            Some(Token::Eq) => Operator::Equals,
            Some(Token::NotEq) => Operator::NotEquals,
            Some(Token::Gt) => Operator::GreaterThan,
            Some(Token::Lt) => Operator::LessThan,
            Some(Token::Ident(word)) if word == "in" => Operator::In,
            Some(Token::Ident(word)) if word == "notin" => Operator::NotIn,
            _ => return Err(self.err("expected an operator")),
        };
        let values = match operator {
            Operator::In | Operator::NotIn => self.value_set()?,
            Operator::GreaterThan | Operator::LessThan => {
                let v = self.ident("expected an integer")?;
                v.parse::<i64>()
                    .map_err(|_| self.err("expected an integer"))?;
                vec![v]
            }
            _ if self.at_clause_end() => vec![String::new()],
            _ => vec![self.ident("expected a value")?],
        };
        Ok(Requirement {
            key,
            operator,
            values,
        })
    }

    fn value_set(&mut self) -> Result<Vec<String>, SelectorError> {
        if self.next() != Some(Token::Open) {
            return Err(self.err("expected '('"));
        }
        let mut values = Vec::new();
        loop {
            match self.next() {
                Some(Token::Close) => break,
                Some(Token::Ident(v)) => values.push(v),
                Some(Token::Comma) => {}
                _ => return Err(self.err("unterminated value set")),
            }
        }
        values.sort();
        values.dedup();
        Ok(values)
    }
}

impl LabelSelector {
    /// The selector that matches every object.
    pub fn everything() -> Self {
        Self::default()
    }

    /// Parses the query-string syntax.
    pub fn parse(s: &str) -> Result<Self, SelectorError> {
        let mut parser = Parser {
            tokens: lex(s)?,
            pos: 0,
            source: s.to_string(),
        };
        let mut requirements = Vec::new();
        while parser.peek().is_some() {
            requirements.push(parser.requirement()?);
            match parser.next() {
                None => break,
                Some(Token::Comma) => {}
                Some(_) => return Err(parser.err("expected ','")),
            }
        }
        Ok(Self { requirements })
    }

    /// Converts a `metav1.LabelSelector` like `LabelSelectorAsSelector`: requirements
    /// sorted by key.
    pub fn from_k8s(selector: &K8sLabelSelector) -> Result<Self, SelectorError> {
        let mut requirements = Vec::new();
        for (key, value) in selector.match_labels.iter().flatten() {
            requirements.push(Requirement {
                key: key.clone(),
                operator: Operator::Equals,
                values: vec![value.clone()],
            });
        }
        for expr in selector.match_expressions.iter().flatten() {
            let operator = match expr.operator.as_str() {
                "In" => Operator::In,
                "NotIn" => Operator::NotIn,
                "Exists" => Operator::Exists,
                "DoesNotExist" => Operator::DoesNotExist,
                other => {
                    return Err(SelectorError(format!(
                        "{other:?} is not a valid label selector operator"
                    )));
                }
            };
            let mut values = expr.values.clone().unwrap_or_default();
            values.sort();
            values.dedup();
            requirements.push(Requirement {
                key: expr.key.clone(),
                operator,
                values,
            });
        }
        requirements.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(Self { requirements })
    }

    /// True if the selector has no requirement (matches everything).
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// The requirements, in order.
    pub fn requirements(&self) -> &[Requirement] {
        &self.requirements
    }

    /// Whether an object with these labels (a JSON object, or null) is selected.
    pub fn matches(&self, labels: Option<&Value>) -> bool {
        self.requirements
            .iter()
            .all(|r| r.matches(labels.and_then(Value::as_object)))
    }

    /// Whether a JSON object (with `metadata.labels`) is selected.
    pub fn matches_object(&self, object: &Value) -> bool {
        self.matches(object.pointer("/metadata/labels"))
    }
}

impl Requirement {
    fn matches(&self, labels: Option<&serde_json::Map<String, Value>>) -> bool {
        let value = labels
            .and_then(|l| l.get(&self.key))
            .and_then(Value::as_str);
        match self.operator {
            Operator::Equals | Operator::In => {
                value.is_some_and(|v| self.values.iter().any(|x| x == v))
            }
            Operator::NotEquals | Operator::NotIn => {
                !value.is_some_and(|v| self.values.iter().any(|x| x == v))
            }
            Operator::Exists => value.is_some(),
            Operator::DoesNotExist => value.is_none(),
            Operator::GreaterThan | Operator::LessThan => {
                let (Some(v), Some(bound)) = (
                    value.and_then(|v| v.parse::<i64>().ok()),
                    self.values.first().and_then(|b| b.parse::<i64>().ok()),
                ) else {
                    return false;
                };
                if self.operator == Operator::GreaterThan {
                    v > bound
                } else {
                    v < bound
                }
            }
        }
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = &self.key;
        let first = self.values.first().map(String::as_str).unwrap_or("");
        match self.operator {
            Operator::Equals => write!(f, "{key}={first}"),
            Operator::NotEquals => write!(f, "{key}!={first}"),
            Operator::In => write!(f, "{key} in ({})", self.values.join(",")),
            Operator::NotIn => write!(f, "{key} notin ({})", self.values.join(",")),
            Operator::Exists => write!(f, "{key}"),
            Operator::DoesNotExist => write!(f, "!{key}"),
            Operator::GreaterThan => write!(f, "{key}>{first}"),
            Operator::LessThan => write!(f, "{key}<{first}"),
        }
    }
}

impl fmt::Display for LabelSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.requirements.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;
    use serde_json::json;

    fn sel(s: &str) -> LabelSelector {
        LabelSelector::parse(s).unwrap()
    }

    #[test]
    fn equality_and_sets() {
        let labels = json!({"app": "web", "tier": "front", "v": "3"});
        assert!(sel("app=web").matches(Some(&labels)));
        assert!(sel("app==web,tier!=back").matches(Some(&labels)));
        assert!(sel("app in (web, api)").matches(Some(&labels)));
        assert!(!sel("app notin (web)").matches(Some(&labels)));
        assert!(sel("tier,!missing").matches(Some(&labels)));
        assert!(!sel("!tier").matches(Some(&labels)));
        assert!(sel("v>2,v<4").matches(Some(&labels)));
        assert!(sel("missing!=x").matches(Some(&labels)));
        assert!(sel("").matches(None));
        assert!(!sel("app").matches(None));
    }

    #[test]
    fn rejects_garbage() {
        assert!(LabelSelector::parse("app in web").is_err());
        assert!(LabelSelector::parse("a=b c").is_err());
        assert!(LabelSelector::parse("v>x").is_err());
        assert!(LabelSelector::parse("=x").is_err());
    }

    #[test]
    fn renders_like_the_api_server() {
        let s = K8sLabelSelector {
            match_labels: Some(
                [
                    ("tier".to_string(), "front".to_string()),
                    ("app".to_string(), "web".to_string()),
                ]
                .into(),
            ),
            match_expressions: Some(vec![
                LabelSelectorRequirement {
                    key: "env".into(),
                    operator: "In".into(),
                    values: Some(vec!["prod".into(), "canary".into()]),
                },
                LabelSelectorRequirement {
                    key: "legacy".into(),
                    operator: "DoesNotExist".into(),
                    values: None,
                },
            ]),
        };
        assert_eq!(
            LabelSelector::from_k8s(&s).unwrap().to_string(),
            "app=web,env in (canary,prod),!legacy,tier=front"
        );
        assert_eq!(sel("a notin (y,x),b").to_string(), "a notin (x,y),b");
    }
}
