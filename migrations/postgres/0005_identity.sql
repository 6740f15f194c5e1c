-- Sign-in secrets (api/src/identity.rs via store/src/credentials.rs). Who a person is and which
-- roles they hold are events in the log (aggregate `access`); what lets them prove it is kept
-- here, outside the history, because secrets change and must be deletable: an argon2id hash of
-- a local account's password, SHA-256 hashes of personal access tokens (the token itself is
-- shown once and never stored), and SHA-256 hashes of browser session ids with each session's
-- CSRF token. Times are Unix seconds (UTC), the same in both backends.
CREATE TABLE auth_password (
    login         TEXT   PRIMARY KEY,
    password_hash TEXT   NOT NULL,
    set_at        BIGINT NOT NULL
);

CREATE TABLE auth_token (
    token_id    TEXT   PRIMARY KEY,
    token_hash  TEXT   NOT NULL UNIQUE,
    login       TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT,
    revoked_at  BIGINT
);
CREATE INDEX auth_token_login ON auth_token (login);

CREATE TABLE auth_session (
    session_hash TEXT   PRIMARY KEY,
    login        TEXT   NOT NULL,
    csrf_token   TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX auth_session_login ON auth_session (login);
