//! An EDN value as read, before it is mapped into an [`crate::Op`].

use std::fmt;

/// One EDN value. Collections keep their elements in file order.
#[derive(Debug, Clone, PartialEq)]
pub enum Edn {
    /// `nil`.
    Nil,
    /// `true` or `false`.
    Bool(bool),
    /// An integer that fits in an `i64`.
    Int(i64),
    /// An integer beyond `i64` (written with or without the `N` suffix), as its decimal digits.
    BigInt(String),
    /// A floating-point number (`1.5`, `1e3`, `1.5M`, a ratio `1/2`, `##Inf`, `##NaN`).
    Float(f64),
    /// A string, escapes resolved.
    Str(String),
    /// A character literal such as `\a` or `\newline`.
    Char(char),
    /// A keyword, without its leading colon (`:read` is `Keyword("read")`).
    Keyword(String),
    /// A symbol other than `nil`, `true` and `false`.
    Symbol(String),
    /// `[a b]`.
    Vector(Vec<Edn>),
    /// `(a b)`.
    List(Vec<Edn>),
    /// `#{a b}`.
    Set(Vec<Edn>),
    /// `{k v}`, pairs in file order.
    Map(Vec<(Edn, Edn)>),
    /// `#tag value`, e.g. `#inst "..."` or a record `#jepsen.history.Op{...}`.
    Tagged(String, Box<Edn>),
}

impl Edn {
    /// The value with any tags removed (`#tag x` is `x`).
    pub fn untagged(&self) -> &Edn {
        match self {
            Edn::Tagged(_, inner) => inner.untagged(),
            other => other,
        }
    }

    /// A short name of the value's kind, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Edn::Nil => "nil",
            Edn::Bool(_) => "a boolean",
            Edn::Int(_) | Edn::BigInt(_) => "an integer",
            Edn::Float(_) => "a float",
            Edn::Str(_) => "a string",
            Edn::Char(_) => "a character",
            Edn::Keyword(_) => "a keyword",
            Edn::Symbol(_) => "a symbol",
            Edn::Vector(_) => "a vector",
            Edn::List(_) => "a list",
            Edn::Set(_) => "a set",
            Edn::Map(_) => "a map",
            Edn::Tagged(..) => "a tagged value",
        }
    }
}

/// Renders the value back as EDN text (used for map keys that are not keywords or strings, and in
/// error messages).
impl fmt::Display for Edn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn seq(f: &mut fmt::Formatter<'_>, open: &str, items: &[Edn], close: &str) -> fmt::Result {
            f.write_str(open)?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(" ")?;
                }
                write!(f, "{item}")?;
            }
            f.write_str(close)
        }
        match self {
            Edn::Nil => f.write_str("nil"),
            Edn::Bool(b) => write!(f, "{b}"),
            Edn::Int(i) => write!(f, "{i}"),
            Edn::BigInt(d) => write!(f, "{d}N"),
            Edn::Float(x) => write!(f, "{x:?}"),
            Edn::Str(s) => write!(f, "{s:?}"),
            Edn::Char(c) => write!(f, "\\{c}"),
            Edn::Keyword(k) => write!(f, ":{k}"),
            Edn::Symbol(s) => f.write_str(s),
            Edn::Vector(v) => seq(f, "[", v, "]"),
            Edn::List(v) => seq(f, "(", v, ")"),
            Edn::Set(v) => seq(f, "#{", v, "}"),
            Edn::Map(pairs) => {
                f.write_str("{")?;
                for (i, (k, v)) in pairs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k} {v}")?;
                }
                f.write_str("}")
            }
            Edn::Tagged(tag, inner) => write!(f, "#{tag} {inner}"),
        }
    }
}
