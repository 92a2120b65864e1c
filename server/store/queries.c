/* Every SQL statement of the server and the versioned schema, in one place. */
#include "store_local.h"

#define ACCOUNT_COLS                                                                               \
    "a.id, a.kind, a.role, a.status, a.login, a.name, a.id_number, a.phone, a.credit_code, "       \
    "a.rep_name, a.rep_id, a.handler_name, a.handler_id, a.handler_phone, a.pw_hash, "             \
    "a.created_at"
#define VERIF_COLS                                                                                 \
    "v.id, v.account_id, v.status, v.source, v.reason, v.decided_by, v.created_at, "               \
    "v.decided_at, a.kind, a.name, a.login"

const char *const st_sql[Q__COUNT] = {
    [Q_ACCOUNT_INSERT] =
        "INSERT INTO accounts (kind, role, status, login, name, id_number, phone, credit_code, "
        "rep_name, rep_id, handler_name, handler_id, handler_phone, pw_hash, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    [Q_VERIF_INSERT] = "INSERT INTO verifications (account_id, status, source, reason, created_at) "
                       "VALUES (?, 'pending', '', ?, ?) RETURNING id",
    [Q_ACCOUNT_BY_ID] = "SELECT " ACCOUNT_COLS " FROM accounts a WHERE a.id = ?",
    [Q_ACCOUNT_BY_LOGIN] = "SELECT " ACCOUNT_COLS " FROM accounts a WHERE a.login = ?",
    [Q_COUNT_ROLE] = "SELECT count(*) FROM accounts WHERE role = ?",
    [Q_ACCOUNT_SET_NAME] = "UPDATE accounts SET name = ?, status = 'pending' WHERE id = ?",
    [Q_ACCOUNT_SET_REP] =
        "UPDATE accounts SET rep_name = ?, rep_id = ?, status = 'pending' WHERE id = ?",
    [Q_ACCOUNT_SET_STATUS] = "UPDATE accounts SET status = ? WHERE id = ?",
    [Q_SESSION_INSERT] =
        "INSERT INTO sessions (token_hash, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
    [Q_SESSION_ACCOUNT] = "SELECT " ACCOUNT_COLS " FROM sessions s JOIN accounts a "
                          "ON a.id = s.account_id WHERE s.token_hash = ? AND s.expires_at > ?",
    [Q_SESSION_DELETE] = "DELETE FROM sessions WHERE token_hash = ?",
    [Q_VERIF_LIST] = "SELECT " VERIF_COLS " FROM verifications v JOIN accounts a "
                     "ON a.id = v.account_id WHERE v.status = ? ORDER BY v.id LIMIT ?",
    [Q_VERIF_LIST_ALL] = "SELECT " VERIF_COLS " FROM verifications v JOIN accounts a "
                         "ON a.id = v.account_id ORDER BY v.id LIMIT ?",
    [Q_VERIF_GET] = "SELECT " VERIF_COLS " FROM verifications v JOIN accounts a "
                    "ON a.id = v.account_id WHERE v.id = ?",
    [Q_VERIF_FINISH] = "UPDATE verifications SET status = ?, source = ?, reason = ?, "
                       "decided_by = ?, decided_at = ? WHERE id = ? AND status = 'pending'",
    [Q_VERIF_NOTE] = "UPDATE verifications SET reason = ? WHERE id = ? AND status = 'pending'",
    [Q_MEMBER_INSERT] = "INSERT INTO members (enterprise_id, account_id, role, created_at) "
                        "VALUES (?, ?, ?, ?)",
    [Q_MEMBER_DELETE] = "DELETE FROM members WHERE enterprise_id = ? AND account_id = ?",
    [Q_MEMBER_ROLE] = "SELECT role FROM members WHERE enterprise_id = ? AND account_id = ?",
    [Q_MEMBER_LIST] = "SELECT m.enterprise_id, m.account_id, m.role, a.name, a.phone "
                      "FROM members m JOIN accounts a ON a.id = m.account_id "
                      "WHERE m.enterprise_id = ? ORDER BY m.account_id LIMIT ?",
    [Q_MEMBERSHIPS] = "SELECT m.enterprise_id, m.account_id, m.role, a.name, a.login "
                      "FROM members m JOIN accounts a ON a.id = m.enterprise_id "
                      "WHERE m.account_id = ? ORDER BY m.enterprise_id LIMIT ?",
    [Q_EVENT_INSERT] = "INSERT INTO events (account_id, kind, data, at) VALUES (?, ?, ?, ?)",
    [Q_EVENT_LIST] = "SELECT id, account_id, kind, data, at FROM events WHERE account_id = ? "
                     "ORDER BY id LIMIT ?",
    /* The last three count events later issues record when seals and signings happen. */
    [Q_STATS] = "SELECT (SELECT count(*) FROM accounts WHERE kind IN ('person', 'enterprise')), "
                "(SELECT count(*) FROM events WHERE kind = 'provider_admitted'), "
                "(SELECT count(*) FROM events WHERE kind = 'seal_issued'), "
                "(SELECT count(*) FROM events WHERE kind = 'signing_started'), "
                "(SELECT count(*) FROM events WHERE kind = 'document_completed')",
    [Q_SCHEMA_VERSION] = "SELECT version FROM schema_version",
};

/* Version 1. The two dialects differ only in how ids are generated. */
#define SCHEMA_V1(ID)                                                                              \
    "CREATE TABLE accounts (id " ID ", kind TEXT NOT NULL, role TEXT NOT NULL, "                   \
    "status TEXT NOT NULL, login TEXT NOT NULL UNIQUE, name TEXT NOT NULL, id_number TEXT, "       \
    "phone TEXT, credit_code TEXT, rep_name TEXT, rep_id TEXT, handler_name TEXT, "                \
    "handler_id TEXT, handler_phone TEXT, pw_hash TEXT NOT NULL, created_at BIGINT NOT NULL);"     \
    "CREATE UNIQUE INDEX accounts_id_number ON accounts (id_number) "                              \
    "WHERE id_number IS NOT NULL;"                                                                 \
    "CREATE UNIQUE INDEX accounts_credit_code ON accounts (credit_code) "                          \
    "WHERE credit_code IS NOT NULL;"                                                               \
    "CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, "                                         \
    "account_id BIGINT NOT NULL REFERENCES accounts (id), created_at BIGINT NOT NULL, "            \
    "expires_at BIGINT NOT NULL);"                                                                 \
    "CREATE INDEX sessions_account ON sessions (account_id);"                                      \
    "CREATE TABLE verifications (id " ID ", "                                                      \
    "account_id BIGINT NOT NULL REFERENCES accounts (id), status TEXT NOT NULL, "                  \
    "source TEXT NOT NULL, reason TEXT NOT NULL, decided_by BIGINT, "                              \
    "created_at BIGINT NOT NULL, decided_at BIGINT);"                                              \
    "CREATE INDEX verifications_status ON verifications (status, id);"                             \
    "CREATE TABLE members (enterprise_id BIGINT NOT NULL REFERENCES accounts (id), "               \
    "account_id BIGINT NOT NULL REFERENCES accounts (id), role TEXT NOT NULL, "                    \
    "created_at BIGINT NOT NULL, PRIMARY KEY (enterprise_id, account_id));"                        \
    "CREATE INDEX members_account ON members (account_id);"                                        \
    "CREATE TABLE events (id " ID ", account_id BIGINT REFERENCES accounts (id), "                 \
    "kind TEXT NOT NULL, data TEXT NOT NULL, at BIGINT NOT NULL);"                                 \
    "CREATE INDEX events_account ON events (account_id, id);"                                      \
    "CREATE INDEX events_kind ON events (kind);"

const char *const st_migrations[][2] = {
    {SCHEMA_V1("INTEGER PRIMARY KEY AUTOINCREMENT"),
     SCHEMA_V1("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")},
};
const int st_nmigrations = (int)(sizeof(st_migrations) / sizeof(st_migrations[0]));
