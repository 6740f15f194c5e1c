//! Statements as data: SQL text with `$1…` parameters and the values to bind. The read models
//! are written this way (`gevinst-projections`' `apply`), and an append runs such statements in
//! its own transaction when it projects its events at once (`repository::Inline`), so the type
//! lives with the log that executes it. Only [`bind_all!`] knows the backends' binding.

/// A value bound to a statement parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// Text, possibly NULL.
    Text(Option<String>),
    /// Integer, possibly NULL.
    Int(Option<i64>),
    /// Boolean.
    Bool(bool),
}

impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Val::Text(Some(v.to_string()))
    }
}
impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::Text(Some(v))
    }
}
impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Self {
        Val::Text(v)
    }
}
impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::Int(Some(v))
    }
}
impl From<i32> for Val {
    fn from(v: i32) -> Self {
        Val::Int(Some(i64::from(v)))
    }
}
impl From<Option<i64>> for Val {
    fn from(v: Option<i64>) -> Self {
        Val::Int(v)
    }
}
impl From<bool> for Val {
    fn from(v: bool) -> Self {
        Val::Bool(v)
    }
}

/// One statement to run.
#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    /// SQL with `$1…` parameters, valid on both backends.
    pub sql: std::borrow::Cow<'static, str>,
    /// The values.
    pub args: Vec<Val>,
}

/// Binds every value of `$args` (a `&[Val]`) to `$query` in order, on either backend.
#[macro_export]
macro_rules! bind_all {
    ($query:expr, $args:expr) => {{
        let mut q = $query;
        for v in $args {
            q = match v {
                $crate::sql::Val::Text(t) => q.bind(t.clone()),
                $crate::sql::Val::Int(i) => q.bind(*i),
                $crate::sql::Val::Bool(b) => q.bind(*b),
            };
        }
        q
    }};
}
