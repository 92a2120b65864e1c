/* Every SQL statement of the server and the versioned schema, in one place. */
#include "store_local.h"

#define ACCOUNT_COLS                                                                               \
    "a.id, a.kind, a.role, a.status, a.login, a.name, a.id_number, a.phone, a.credit_code, "       \
    "a.rep_name, a.rep_id, a.handler_name, a.handler_id, a.handler_phone, a.pw_hash, "             \
    "a.created_at"
#define SEAL_COLS                                                                                  \
    "id, owner_id, applicant_id, coalesce(reviewed_by, 0), coalesce(reissue_of, 0), type, name, "  \
    "status, reason, coalesce(code, ''), coalesce(serial, ''), picture_source, pin_failures, "     \
    "locked, created_at, updated_at"
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
    [Q_SEAL_INSERT] = "INSERT INTO seals (owner_id, applicant_id, type, name, status, reason, "
                      "picture_source, picture, reissue_of, created_at, updated_at) "
                      "VALUES (?, ?, ?, ?, 'applied', '', ?, ?, ?, ?, ?) RETURNING id",
    [Q_SEAL_GET] = "SELECT " SEAL_COLS " FROM seals WHERE id = ?",
    [Q_SEAL_BLOBS] = "SELECT picture, cert_pem, seal_der, wrapped FROM seals WHERE id = ?",
    [Q_SEAL_LIST_OWNER] = "SELECT " SEAL_COLS " FROM seals WHERE owner_id = ? ORDER BY id LIMIT ?",
    [Q_SEAL_LIST_STATUS] = "SELECT " SEAL_COLS " FROM seals WHERE status = ? ORDER BY id LIMIT ?",
    [Q_SEAL_LIST_ALL] = "SELECT " SEAL_COLS " FROM seals ORDER BY id LIMIT ?",
    [Q_SEAL_LIST_GRANTED] = "SELECT " SEAL_COLS " FROM seals WHERE id IN (SELECT seal_id FROM "
                            "grants WHERE account_id = ? AND revoked_at IS NULL AND "
                            "(expires_at IS NULL OR expires_at > ?)) ORDER BY id LIMIT ?",
    [Q_SEAL_OPEN_COUNT] = "SELECT count(*) FROM seals WHERE owner_id = ? AND type = ? AND "
                          "status IN ('applied', 'approved', 'making', 'active', 'suspended')",
    [Q_SEAL_DECIDE] = "UPDATE seals SET status = ?, reason = ?, reviewed_by = ?, updated_at = ? "
                      "WHERE id = ? AND status = 'applied'",
    [Q_SEAL_SET_STATUS] = "UPDATE seals SET status = ?, reason = ?, updated_at = ? "
                          "WHERE id = ? AND status = ?",
    [Q_COUNTER_INIT] = "INSERT INTO seal_counters (region, next) VALUES (?, 0) "
                       "ON CONFLICT (region) DO NOTHING",
    [Q_COUNTER_NEXT] = "UPDATE seal_counters SET next = next + 1 WHERE region = ? RETURNING next",
    [Q_SEAL_CLAIM] = "UPDATE seals SET status = 'making', code = ?, updated_at = ? "
                     "WHERE id = ? AND status = 'approved'",
    [Q_SEAL_MADE] = "UPDATE seals SET status = ?, serial = ?, picture = ?, cert_pem = ?, "
                    "seal_der = ?, wrapped = ?, pin_failures = 0, locked = 0, updated_at = ? "
                    "WHERE id = ? AND status = 'making'",
    [Q_SEAL_WRAPPED] = "UPDATE seals SET wrapped = ?, updated_at = ? WHERE id = ? AND "
                       "status IN ('active', 'suspended') AND locked = 0",
    /* A PIN attempt takes one of the ST_PIN_TRIES slots before Argon2id runs, atomically: parallel
     * guesses cannot evaluate more PINs than there are slots. */
    [Q_SEAL_PIN_RESERVE] = "UPDATE seals SET pin_failures = pin_failures + 1 WHERE id = ? AND "
                           "locked = 0 AND pin_failures < ?",
    /* A wrong PIN keeps its slot; once every slot is taken by wrong PINs the key is locked. */
    [Q_SEAL_PIN_FAIL] = "UPDATE seals SET locked = CASE WHEN pin_failures >= ? THEN 1 ELSE locked "
                        "END WHERE id = ? RETURNING pin_failures, locked",
    /* An attempt that failed for another reason (no memory, damaged blob) gives its slot back. */
    [Q_SEAL_PIN_RELEASE] = "UPDATE seals SET pin_failures = pin_failures - 1 WHERE id = ? AND "
                           "locked = 0 AND pin_failures > 0",
    [Q_SEAL_PIN_OK] = "UPDATE seals SET pin_failures = 0 WHERE id = ? AND locked = 0",
    [Q_SEAL_UNLOCK] = "UPDATE seals SET pin_failures = 0, locked = 0, updated_at = ? WHERE id = ?",
    [Q_GRANT_INSERT] = "INSERT INTO grants (seal_id, account_id, granted_by, expires_at, "
                       "created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
    [Q_GRANT_REVOKE] = "UPDATE grants SET revoked_at = ? WHERE id = ? AND seal_id = ? "
                       "AND revoked_at IS NULL",
    [Q_GRANT_LIST] = "SELECT g.id, g.seal_id, g.account_id, g.granted_by, "
                     "coalesce(g.expires_at, 0), coalesce(g.revoked_at, 0), g.created_at, a.name "
                     "FROM grants g JOIN accounts a ON a.id = g.account_id WHERE g.seal_id = ? "
                     "ORDER BY g.id LIMIT ?",
    [Q_GRANT_VALID] = "SELECT count(*) FROM grants WHERE seal_id = ? AND account_id = ? AND "
                      "revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)",
    [Q_DOC_INSERT] = "INSERT INTO documents (owner_id, format, name, content, sm3, size, status, "
                     "nsig, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'open', 0, ?, ?) "
                     "RETURNING id",
    [Q_DOC_GET] = "SELECT id, owner_id, format, name, sm3, size, status, nsig, created_at, "
                  "updated_at FROM documents WHERE id = ?",
    [Q_DOC_CONTENT] = "SELECT content FROM documents WHERE id = ?",
    [Q_DOC_UPDATE] = "UPDATE documents SET content = ?, sm3 = ?, size = ?, status = ?, "
                     "nsig = nsig + 1, updated_at = ? WHERE id = ? AND nsig = ?",
    [Q_DOC_SIGNER_INSERT] = "INSERT INTO document_signers (document_id, position, account_id) "
                            "VALUES (?, ?, ?)",
    [Q_DOC_SIGNERS] = "SELECT position, account_id, coalesce(signed_at, 0) FROM "
                      "document_signers WHERE document_id = ? ORDER BY position",
    [Q_DOC_SIGNER_DONE] = "UPDATE document_signers SET signed_at = ? WHERE document_id = ? "
                          "AND position = ? AND signed_at IS NULL",
    [Q_ASSET_FIND] = "SELECT id FROM doc_assets WHERE seal_id = ? AND sm3 = ?",
    /* DO NOTHING: another batch of the same seal stored it meanwhile (then found again) */
    [Q_ASSET_INSERT] = "INSERT INTO doc_assets (seal_id, sm3, content, created_at) "
                       "VALUES (?, ?, ?, ?) ON CONFLICT (seal_id, sm3) DO NOTHING RETURNING id",
    [Q_ASSET_CONTENT] = "SELECT content FROM doc_assets WHERE id = ?",
    [Q_ASSET_REPAIR] = "UPDATE doc_assets SET content = ? WHERE id = ?",
    /* Only over the hash the caller verified: a concurrent change is not silently overwritten. */
    [Q_ACCOUNT_SET_PASSWORD] = "UPDATE accounts SET pw_hash = ? WHERE id = ? AND pw_hash = ?",
    [Q_SESSION_DELETE_OTHERS] = "DELETE FROM sessions WHERE account_id = ? AND token_hash <> ?",
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

/*
 * Version 2: seals (private keys only wrapped, pictures and files as base64 text), grants, the
 * per-region seal-code counters and documents with their ordered signers. At most one live
 * seal per owner and type, except type 99 (other).
 */
#define SCHEMA_V2(ID)                                                                              \
    "CREATE TABLE seals (id " ID ", owner_id BIGINT NOT NULL REFERENCES accounts (id), "           \
    "applicant_id BIGINT NOT NULL REFERENCES accounts (id), reviewed_by BIGINT, "                  \
    "reissue_of BIGINT, type TEXT NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL, "            \
    "reason TEXT NOT NULL, code TEXT UNIQUE, serial TEXT, picture_source TEXT NOT NULL, "          \
    "picture TEXT, cert_pem TEXT, seal_der TEXT, wrapped TEXT, "                                   \
    "pin_failures BIGINT NOT NULL DEFAULT 0, locked BIGINT NOT NULL DEFAULT 0, "                   \
    "created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);"                                     \
    "CREATE INDEX seals_owner ON seals (owner_id, id);"                                            \
    "CREATE INDEX seals_status ON seals (status, id);"                                             \
    "CREATE UNIQUE INDEX seals_one_live ON seals (owner_id, type) "                                \
    "WHERE status IN ('making', 'active', 'suspended') AND type <> '99';"                          \
    "CREATE TABLE seal_counters (region TEXT PRIMARY KEY, next BIGINT NOT NULL);"                  \
    "CREATE TABLE grants (id " ID ", seal_id BIGINT NOT NULL REFERENCES seals (id), "              \
    "account_id BIGINT NOT NULL REFERENCES accounts (id), granted_by BIGINT NOT NULL, "            \
    "expires_at BIGINT, revoked_at BIGINT, created_at BIGINT NOT NULL);"                           \
    "CREATE INDEX grants_seal ON grants (seal_id, account_id);"                                    \
    "CREATE INDEX grants_account ON grants (account_id);"                                          \
    "CREATE TABLE documents (id " ID ", owner_id BIGINT NOT NULL REFERENCES accounts (id), "       \
    "format TEXT NOT NULL, name TEXT NOT NULL, content TEXT NOT NULL, sm3 TEXT NOT NULL, "         \
    "size BIGINT NOT NULL, status TEXT NOT NULL, nsig BIGINT NOT NULL, "                           \
    "created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);"                                     \
    "CREATE TABLE document_signers (document_id BIGINT NOT NULL REFERENCES documents (id), "       \
    "position BIGINT NOT NULL, account_id BIGINT NOT NULL REFERENCES accounts (id), "              \
    "signed_at BIGINT, PRIMARY KEY (document_id, position));"

/*
 * Version 3: document contents as bytes, not base64 text (a signed document carries its seal's
 * picture, hundreds of KB: base64 cost a third more to write, and an encoding each way).
 * SQLite cannot change a column's type: the column is replaced, decoded by eseal_unbase64 (a
 * function the SQLite back end registers); the NOT NULL column refuses a row that will not decode.
 */
#define SCHEMA_V3_SQLITE                                                                           \
    "ALTER TABLE documents RENAME COLUMN content TO content_base64;"                               \
    "ALTER TABLE documents ADD COLUMN content BLOB NOT NULL DEFAULT x'';"                          \
    "UPDATE documents SET content = eseal_unbase64(content_base64);"                               \
    "ALTER TABLE documents DROP COLUMN content_base64;"
/* EXTERNAL: PostgreSQL would try to compress each document, mostly compressed data already. */
#define SCHEMA_V3_PG                                                                               \
    "ALTER TABLE documents ALTER COLUMN content TYPE bytea USING decode(content, 'base64');"       \
    "ALTER TABLE documents ALTER COLUMN content SET STORAGE EXTERNAL;"

/*
 * Version 4: assets, bytes kept once that stored documents refer to (server/doc_pack.h): the
 * image streams of a seal's picture, in every PDF signed with it. Keyed by the seal and the SM3
 * of the bytes; a seal's assets live as long as the seal.
 */
#define SCHEMA_V4(ID, BYTES)                                                                       \
    "CREATE TABLE doc_assets (id " ID ", seal_id BIGINT NOT NULL REFERENCES seals (id), "          \
    "sm3 TEXT NOT NULL, content " BYTES " NOT NULL, created_at BIGINT NOT NULL, "                  \
    "UNIQUE (seal_id, sm3));"
/* EXTERNAL as documents.content: compressed image data does not compress again. */
#define SCHEMA_V4_PG                                                                               \
    SCHEMA_V4("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "bytea")                      \
    "ALTER TABLE doc_assets ALTER COLUMN content SET STORAGE EXTERNAL;"

const char *const st_migrations[][2] = {
    {SCHEMA_V1("INTEGER PRIMARY KEY AUTOINCREMENT"),
     SCHEMA_V1("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")},
    {SCHEMA_V2("INTEGER PRIMARY KEY AUTOINCREMENT"),
     SCHEMA_V2("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")},
    {SCHEMA_V3_SQLITE, SCHEMA_V3_PG},
    {SCHEMA_V4("INTEGER PRIMARY KEY AUTOINCREMENT", "BLOB"), SCHEMA_V4_PG},
};
const int st_nmigrations = (int)(sizeof(st_migrations) / sizeof(st_migrations[0]));
