//! Sign-in secrets as rows: password hashes, personal access token hashes, browser sessions.
//!
//! These live beside the log, not in it: a secret changes (a new password, a revoked token, a
//! logout) and must be removable, while the log is append-only. Who holds an account and which
//! roles it has are events (`gevinst_domain::access`). This module stores and finds rows; it
//! hashes nothing and decides nothing (see `gevinst_projections::identity`).

use crate::{Db, StoreError};

/// One personal access token's row (the token itself is never stored).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TokenRow {
    /// The public id, shown in listings and used to revoke.
    pub token_id: String,
    /// Whose it is.
    pub login: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds, if it expires.
    pub expires_at: Option<i64>,
    /// Unix seconds, if revoked.
    pub revoked_at: Option<i64>,
}

/// One browser session's row.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionRow {
    /// Whose it is.
    pub login: String,
    /// The token every form and cookie-authenticated write must echo.
    pub csrf_token: String,
    /// Unix seconds.
    pub expires_at: i64,
}

/// A stream whose newest sequence a sign-in reads with its secret's row.
#[derive(Debug, Clone, Copy)]
pub struct StreamHead<'a> {
    /// Its aggregate type.
    pub aggregate_type: &'a str,
    /// Its id.
    pub stream_id: &'a str,
}

/// The newest sequence of the stream bound as `$2` (type) and `$3` (id), 0 for none.
const HEAD: &str = "(SELECT COALESCE(MAX(sequence), 0) FROM event \
    WHERE aggregate_type = $2 AND stream_id = $3)";

/// A row with the stream head read beside it.
#[derive(Debug, sqlx::FromRow)]
struct WithHead<T> {
    #[sqlx(flatten)]
    row: T,
    head: i64,
}

/// The sign-in secrets of one store.
#[derive(Debug, Clone)]
pub struct Credentials {
    db: Db,
}

impl Credentials {
    /// Over `db`.
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Sets (or replaces) `login`'s password hash.
    pub async fn set_password_hash(
        &self,
        login: &str,
        hash: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO auth_password (login, password_hash, set_at) VALUES ($1, $2, $3) \
                   ON CONFLICT (login) DO UPDATE SET password_hash = $2, set_at = $3";
        on_backend!(&self.db, |pool, _cast| {
            sqlx::query(sql)
                .bind(login)
                .bind(hash)
                .bind(now)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// `login`'s password hash, if it has a local password.
    pub async fn password_hash(&self, login: &str) -> Result<Option<String>, StoreError> {
        let sql = "SELECT password_hash FROM auth_password WHERE login = $1";
        Ok(on_backend!(&self.db, |pool, _cast| sqlx::query_scalar(sql)
            .bind(login)
            .fetch_optional(pool)
            .await?))
    }

    /// Stores a new token's hash.
    pub async fn insert_token(
        &self,
        token_id: &str,
        token_hash: &str,
        login: &str,
        now: i64,
        expires_at: Option<i64>,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO auth_token (token_id, token_hash, login, created_at, expires_at) \
                   VALUES ($1, $2, $3, $4, $5)";
        on_backend!(&self.db, |pool, _cast| {
            sqlx::query(sql)
                .bind(token_id)
                .bind(token_hash)
                .bind(login)
                .bind(now)
                .bind(expires_at)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The token whose hash is `token_hash`.
    ///
    /// With it, in the same statement, the newest sequence of the stream `stream` (0 for none):
    /// a sign-in learns from it whether the grants it keeps are still the newest, without a
    /// second round trip (see [`Credentials::session`]).
    pub async fn token_by_hash(
        &self,
        token_hash: &str,
        stream: &StreamHead<'_>,
    ) -> Result<Option<(TokenRow, i64)>, StoreError> {
        let sql = format!(
            "SELECT token_id, login, created_at, expires_at, revoked_at, {HEAD} AS head \
             FROM auth_token WHERE token_hash = $1"
        );
        self.with_head(&sql, token_hash, stream).await
    }

    /// The row `sql` selects by `secret_hash` (`$1`), with the head of `stream` ([`HEAD`]).
    async fn with_head<T>(
        &self,
        sql: &str,
        secret_hash: &str,
        stream: &StreamHead<'_>,
    ) -> Result<Option<(T, i64)>, StoreError>
    where
        T: Send
            + Unpin
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
            + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>,
    {
        let row: Option<WithHead<T>> = on_backend!(&self.db, |pool, _cast| {
            sqlx::query_as(sql)
                .bind(secret_hash)
                .bind(stream.aggregate_type)
                .bind(stream.stream_id)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(|r| (r.row, r.head)))
    }

    /// Every token of `login`, newest first.
    pub async fn tokens_of(&self, login: &str) -> Result<Vec<TokenRow>, StoreError> {
        let sql = "SELECT token_id, login, created_at, expires_at, revoked_at FROM auth_token \
                   WHERE login = $1 ORDER BY created_at DESC, token_id";
        Ok(on_backend!(&self.db, |pool, _cast| sqlx::query_as(sql)
            .bind(login)
            .fetch_all(pool)
            .await?))
    }

    /// Marks the token revoked; false when there is no such unrevoked token.
    pub async fn revoke_token(&self, token_id: &str, now: i64) -> Result<bool, StoreError> {
        let sql =
            "UPDATE auth_token SET revoked_at = $2 WHERE token_id = $1 AND revoked_at IS NULL";
        let done = on_backend!(&self.db, |pool, _cast| sqlx::query(sql)
            .bind(token_id)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(done == 1)
    }

    /// Stores a new session.
    pub async fn insert_session(
        &self,
        session_hash: &str,
        login: &str,
        csrf_token: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO auth_session (session_hash, login, csrf_token, created_at, \
                   expires_at) VALUES ($1, $2, $3, $4, $5)";
        on_backend!(&self.db, |pool, _cast| {
            sqlx::query(sql)
                .bind(session_hash)
                .bind(login)
                .bind(csrf_token)
                .bind(now)
                .bind(expires_at)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The session whose id hashes to `session_hash`.
    ///
    /// With it, the newest sequence of `stream`, as [`Credentials::token_by_hash`] gives it.
    pub async fn session(
        &self,
        session_hash: &str,
        stream: &StreamHead<'_>,
    ) -> Result<Option<(SessionRow, i64)>, StoreError> {
        let sql = format!(
            "SELECT login, csrf_token, expires_at, {HEAD} AS head FROM auth_session \
             WHERE session_hash = $1"
        );
        self.with_head(&sql, session_hash, stream).await
    }

    /// Ends a session (logout), and every session that has expired by `now`.
    pub async fn delete_session(&self, session_hash: &str, now: i64) -> Result<(), StoreError> {
        let sql = "DELETE FROM auth_session WHERE session_hash = $1 OR expires_at <= $2";
        on_backend!(&self.db, |pool, _cast| {
            sqlx::query(sql)
                .bind(session_hash)
                .bind(now)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Ends every session of `login` (the account was disabled).
    pub async fn delete_sessions_of(&self, login: &str) -> Result<(), StoreError> {
        let sql = "DELETE FROM auth_session WHERE login = $1";
        on_backend!(&self.db, |pool, _cast| {
            sqlx::query(sql).bind(login).execute(pool).await?;
        });
        Ok(())
    }
}
