-- Sign-in secrets, SQLite flavour of migrations/postgres/0005_identity.sql (same columns and
-- rules; times are Unix seconds).
CREATE TABLE auth_password (
    login         TEXT   PRIMARY KEY,
    password_hash TEXT   NOT NULL,
    set_at        INTEGER NOT NULL
);

CREATE TABLE auth_token (
    token_id    TEXT   PRIMARY KEY,
    token_hash  TEXT   NOT NULL UNIQUE,
    login       TEXT   NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER,
    revoked_at  INTEGER
);
CREATE INDEX auth_token_login ON auth_token (login);

CREATE TABLE auth_session (
    session_hash TEXT   PRIMARY KEY,
    login        TEXT   NOT NULL,
    csrf_token   TEXT   NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX auth_session_login ON auth_session (login);
