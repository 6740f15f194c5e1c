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

/// How a generated statement names its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placeholders {
    /// `$1`, `$2`, … (PostgreSQL; SQLite accepts them too).
    Numbered,
    /// `?` in order. On SQLite a long statement wants these: sqlx asks for each numbered
    /// parameter's name in turn, and SQLite finds a name by walking the statement's list of
    /// names, so a statement of 1,700 numbered parameters costs more than its rows.
    Anonymous,
}

/// The one-row `insert` (`… VALUES (<row>) …`, whose row uses each of `$1…$width`, where
/// `$width` is the highest, at least once) for `rows` rows: `… VALUES (…), (…) …`, the
/// parameters numbered on from `$offset + 1`, row `n`'s `$k` as `$(offset + n × width + k)`
/// (or plain `?`s with [`Placeholders::Anonymous`], where the row uses each once, in order).
/// The values are the rows' own, one row after the other.
#[must_use]
pub fn multi_row(insert: &str, rows: usize, offset: usize, placeholders: Placeholders) -> String {
    let Some((head, tail)) = insert.split_once(" VALUES (") else {
        return insert.to_string();
    };
    let (row, rest) = tail.split_once(')').unwrap_or((tail, ""));
    let numbers: Vec<usize> = row
        .split('$')
        .skip(1)
        .map(|part| {
            part.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .unwrap_or(0)
        })
        .collect();
    let width = numbers.iter().copied().max().unwrap_or(0);
    let in_order = numbers.iter().enumerate().all(|(i, k)| *k == i + 1);
    let anonymous = placeholders == Placeholders::Anonymous && in_order;
    let mut sql = format!("{head} VALUES ");
    for n in 0..rows {
        if n > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        let mut parts = row.split('$');
        sql.push_str(parts.next().unwrap_or(""));
        for (part, k) in parts.zip(&numbers) {
            let digits = part.chars().take_while(char::is_ascii_digit).count();
            if anonymous {
                sql.push('?');
            } else {
                sql.push_str(&format!("${}", offset + n * width + k));
            }
            sql.push_str(&part[digits..]);
        }
        sql.push(')');
    }
    sql.push_str(rest);
    sql
}

/// Several statements as one text that SQLite runs in one call (sqlx steps through them in
/// turn): each round trip to SQLite is a hand-over to its connection's thread and back, so
/// the statements of one append cost one instead of one each. Every statement is made
/// anonymous (each `$n` becomes `?`, its value repeated in place, since sqlx binds `?`s in
/// order across the statements but `$n` within each statement alone); `?`s stay as they are.
/// Text in single quotes is left alone. PostgreSQL takes one statement with parameters per
/// call: there, run them one by one.
#[must_use]
pub fn joined(stmts: &[Stmt]) -> Stmt {
    let mut sql = String::new();
    let mut args = Vec::new();
    for stmt in stmts {
        if !sql.is_empty() {
            sql.push_str(";\n");
        }
        let mut anonymous = 0;
        let mut quoted = false;
        let mut chars = stmt.sql.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '\'' => {
                    quoted = !quoted;
                    sql.push(c);
                }
                '$' if !quoted => {
                    let digits: String = stmt.sql[i + 1..]
                        .chars()
                        .take_while(char::is_ascii_digit)
                        .collect();
                    let value = digits
                        .parse::<usize>()
                        .ok()
                        .and_then(|n| n.checked_sub(1))
                        .and_then(|n| stmt.args.get(n));
                    match value {
                        Some(value) => {
                            sql.push('?');
                            args.push(value.clone());
                            for _ in 0..digits.len() {
                                chars.next();
                            }
                        }
                        None => sql.push(c),
                    }
                }
                '?' if !quoted => {
                    sql.push(c);
                    if let Some(value) = stmt.args.get(anonymous) {
                        args.push(value.clone());
                    }
                    anonymous += 1;
                }
                _ => sql.push(c),
            }
        }
    }
    Stmt {
        sql: sql.into(),
        args,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_one_row_insert_becomes_several_rows_numbered_on_or_anonymous() {
        let one =
            "INSERT INTO t (a, b, c) VALUES ($1, $2::uuid, NULL, $3) ON CONFLICT (a) DO NOTHING";
        assert_eq!(
            multi_row(one, 2, 0, Placeholders::Numbered),
            "INSERT INTO t (a, b, c) VALUES ($1, $2::uuid, NULL, $3), ($4, $5::uuid, NULL, $6) \
             ON CONFLICT (a) DO NOTHING"
        );
        assert_eq!(
            multi_row(one, 1, 10, Placeholders::Numbered),
            "INSERT INTO t (a, b, c) VALUES ($11, $12::uuid, NULL, $13) ON CONFLICT (a) DO NOTHING"
        );
        assert_eq!(
            multi_row(one, 2, 0, Placeholders::Anonymous),
            "INSERT INTO t (a, b, c) VALUES (?, ?::uuid, NULL, ?), (?, ?::uuid, NULL, ?) \
             ON CONFLICT (a) DO NOTHING"
        );
        // A row that uses its parameters out of order keeps them numbered.
        let shuffled = "INSERT INTO t (a, b) VALUES ($2, $1)";
        assert_eq!(
            multi_row(shuffled, 2, 0, Placeholders::Anonymous),
            "INSERT INTO t (a, b) VALUES ($2, $1), ($4, $3)"
        );
        // A parameter used twice in the row is one value of the row: the rows are numbered on
        // by the highest, and stay numbered.
        let twice = "INSERT INTO t (a, b, c) VALUES ($1, $2, $2) ON CONFLICT (a) DO NOTHING";
        assert_eq!(
            multi_row(twice, 2, 0, Placeholders::Anonymous),
            "INSERT INTO t (a, b, c) VALUES ($1, $2, $2), ($3, $4, $4) ON CONFLICT (a) DO NOTHING"
        );
    }

    #[test]
    fn statements_joined_run_on_anonymously_with_each_value_in_place() {
        let update = Stmt {
            sql: "UPDATE p SET last = $2, at = $3 WHERE id = $1 AND last < $2".into(),
            args: vec![Val::from("BC01"), Val::from(7), Val::from(70)],
        };
        let insert = Stmt {
            sql: "INSERT INTO e (a, b) VALUES (?, ?), (?, ?)".into(),
            args: vec![Val::from(1), Val::from(2), Val::from(3), Val::from(4)],
        };
        let quoted = Stmt {
            sql: "SELECT json_extract(x, '$1 ?') FROM t WHERE y = $1".into(),
            args: vec![Val::from("y")],
        };
        let one = joined(&[update, insert, quoted]);
        assert_eq!(
            one.sql,
            "UPDATE p SET last = ?, at = ? WHERE id = ? AND last < ?;\n\
             INSERT INTO e (a, b) VALUES (?, ?), (?, ?);\n\
             SELECT json_extract(x, '$1 ?') FROM t WHERE y = ?"
        );
        let values = |v: &[i64]| v.iter().map(|i| Val::from(*i)).collect::<Vec<_>>();
        let mut expected = vec![Val::from(7), Val::from(70), Val::from("BC01"), Val::from(7)];
        expected.extend(values(&[1, 2, 3, 4]));
        expected.push(Val::from("y"));
        assert_eq!(one.args, expected);
        assert_eq!(joined(&[]).sql, "");
    }
}
