import GRDB

/// The schema, as an append-only list of migrations: a landed migration is never edited
/// (STYLE.md habit 5). Add a new one at the end instead.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: registry, payments, import ledger") { db in
            try db.execute(
                sql: """
                    CREATE TABLE person (
                        id INTEGER PRIMARY KEY,
                        nir TEXT NOT NULL UNIQUE,
                        last_name TEXT NOT NULL,
                        first_names TEXT NOT NULL,
                        birth_date TEXT NOT NULL,
                        address_lines TEXT NOT NULL,
                        postal_code TEXT NOT NULL,
                        city TEXT NOT NULL,
                        regime TEXT NOT NULL,
                        caisse_code TEXT NOT NULL,
                        caisse_name TEXT NOT NULL,
                        doctor_name TEXT,
                        doctor_since TEXT,
                        long_term_condition INTEGER NOT NULL,
                        content_hash BLOB NOT NULL
                    ) STRICT;

                    CREATE TABLE beneficiary (
                        person_id INTEGER NOT NULL REFERENCES person(id) ON DELETE CASCADE,
                        rank INTEGER NOT NULL,
                        first_name TEXT NOT NULL,
                        birth_date TEXT NOT NULL,
                        complementaire_code TEXT,
                        complementaire_name TEXT,
                        noemie_active INTEGER NOT NULL,
                        PRIMARY KEY (person_id, rank)
                    ) WITHOUT ROWID, STRICT;

                    CREATE TABLE import_ledger (
                        id INTEGER PRIMARY KEY,
                        sha256 TEXT NOT NULL UNIQUE,
                        file_name TEXT NOT NULL,
                        imported_at TEXT NOT NULL,
                        persons INTEGER NOT NULL,
                        payments INTEGER NOT NULL,
                        lines INTEGER NOT NULL,
                        already_present INTEGER NOT NULL
                    ) STRICT;

                    CREATE TABLE payment (
                        id INTEGER PRIMARY KEY,
                        reference TEXT NOT NULL UNIQUE,
                        person_id INTEGER NOT NULL REFERENCES person(id),
                        payment_date TEXT NOT NULL,
                        payee_kind TEXT NOT NULL,
                        payee_name TEXT,
                        kind TEXT NOT NULL,
                        content_hash BLOB NOT NULL,
                        import_id INTEGER NOT NULL REFERENCES import_ledger(id)
                    ) STRICT;
                    -- "Payments of one assuré in a date range" is a range scan on this index.
                    CREATE INDEX payment_by_person_date ON payment(person_id, payment_date);

                    -- Clustered by payment: the lines of a payment are stored together.
                    CREATE TABLE payment_line (
                        payment_id INTEGER NOT NULL REFERENCES payment(id),
                        position INTEGER NOT NULL,
                        care_date TEXT NOT NULL,
                        beneficiary_rank INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        act_code TEXT NOT NULL,
                        label TEXT NOT NULL,
                        professional TEXT,
                        quantity INTEGER NOT NULL,
                        paid INTEGER NOT NULL,
                        base INTEGER NOT NULL,
                        rate_bp INTEGER NOT NULL,
                        reimbursed INTEGER NOT NULL,
                        transmitted INTEGER NOT NULL,
                        PRIMARY KEY (payment_id, position)
                    ) WITHOUT ROWID, STRICT;
                    """)
        }
        migrator.registerMigration("v2: accounts, provisional codes, sessions, outboxes, audit") { db in
            try db.execute(
                sql: """
                    CREATE TABLE account (
                        person_id INTEGER PRIMARY KEY REFERENCES person(id),
                        status TEXT NOT NULL CHECK (status IN ('active', 'closed')),
                        code_hash TEXT NOT NULL,
                        question INTEGER NOT NULL,
                        answer_hash TEXT NOT NULL,
                        email TEXT NOT NULL,
                        email_confirmed INTEGER NOT NULL,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        closed_at INTEGER
                    ) STRICT;

                    -- Failed logins are counted per NIR, whether or not an account exists, so
                    -- that an unknown NIR answers exactly like a wrong code, lockout included.
                    CREATE TABLE login_failure (
                        nir TEXT PRIMARY KEY,
                        failures INTEGER NOT NULL,
                        last_failure_at INTEGER NOT NULL
                    ) WITHOUT ROWID, STRICT;

                    CREATE TABLE provisional_code (
                        id INTEGER PRIMARY KEY,
                        person_id INTEGER NOT NULL REFERENCES person(id),
                        code_hash TEXT NOT NULL,
                        issued_at INTEGER NOT NULL,
                        expires_at INTEGER NOT NULL,
                        used_at INTEGER,
                        attempts INTEGER NOT NULL DEFAULT 0
                    ) STRICT;
                    CREATE INDEX provisional_code_by_person ON provisional_code(person_id, issued_at);

                    -- Every request for a provisional code, matched or not, for the per-NIR limit.
                    CREATE TABLE code_request (
                        nir TEXT NOT NULL,
                        at INTEGER NOT NULL
                    ) STRICT;
                    CREATE INDEX code_request_by_nir ON code_request(nir, at);

                    CREATE TABLE email_token (
                        token_hash BLOB PRIMARY KEY,
                        person_id INTEGER NOT NULL REFERENCES person(id),
                        email TEXT NOT NULL,
                        expires_at INTEGER NOT NULL,
                        used_at INTEGER
                    ) WITHOUT ROWID, STRICT;

                    CREATE TABLE session (
                        token_hash BLOB PRIMARY KEY,
                        person_id INTEGER NOT NULL REFERENCES person(id),
                        channel TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        last_seen_at INTEGER NOT NULL,
                        revoked_at INTEGER
                    ) WITHOUT ROWID, STRICT;
                    CREATE INDEX session_by_person ON session(person_id);

                    -- The postal outbox: letters waiting for the print shop.
                    CREATE TABLE letter (
                        id INTEGER PRIMARY KEY,
                        person_id INTEGER REFERENCES person(id),
                        kind TEXT NOT NULL,
                        recipient TEXT NOT NULL,
                        body TEXT NOT NULL,
                        status TEXT NOT NULL CHECK (status IN ('pending', 'printed', 'posted')),
                        created_at INTEGER NOT NULL,
                        printed_at INTEGER,
                        posted_at INTEGER
                    ) STRICT;
                    CREATE INDEX letter_by_status ON letter(status, id);

                    CREATE TABLE audit_event (
                        id INTEGER PRIMARY KEY,
                        at INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        outcome TEXT NOT NULL,
                        subject TEXT,
                        channel TEXT,
                        detail TEXT
                    ) STRICT;

                    CREATE TABLE setting (
                        key TEXT PRIMARY KEY,
                        value TEXT NOT NULL
                    ) WITHOUT ROWID, STRICT;
                    """)
        }
        migrator.registerMigration("v3: monthly statements") { db in
            try db.execute(
                sql: """
                    -- A month is "issued" once its batch has completed: a payment dated in an issued
                    -- month that was not in any statement goes into the next one issued.
                    CREATE TABLE statement_run (
                        month TEXT PRIMARY KEY,
                        started_at INTEGER NOT NULL,
                        completed_at INTEGER
                    ) WITHOUT ROWID, STRICT;

                    CREATE TABLE statement (
                        id INTEGER PRIMARY KEY,
                        person_id INTEGER NOT NULL REFERENCES person(id),
                        month TEXT NOT NULL,
                        reference TEXT NOT NULL UNIQUE,
                        issued_on TEXT NOT NULL,
                        file TEXT NOT NULL,
                        sha256 TEXT NOT NULL,
                        fingerprint TEXT NOT NULL,
                        size INTEGER NOT NULL,
                        pages INTEGER NOT NULL,
                        payments INTEGER NOT NULL,
                        reimbursed INTEGER NOT NULL,
                        UNIQUE (person_id, month)
                    ) STRICT;
                    CREATE INDEX statement_by_sha256 ON statement(sha256);

                    ALTER TABLE payment ADD COLUMN statement_id INTEGER REFERENCES statement(id);
                    CREATE INDEX payment_not_stated ON payment(person_id, payment_date) WHERE statement_id IS NULL;
                    """)
        }
        migrator.registerMigration("v4: paper delivery, duplicatas, print batches, insurer exports") { db in
            try db.execute(
                sql: """
                    -- Every interval during which an account was open, for the delivery rules:
                    -- reopening a cancelled account starts a new period.
                    CREATE TABLE account_period (
                        person_id INTEGER NOT NULL REFERENCES person(id),
                        opened_at INTEGER NOT NULL,
                        closed_at INTEGER,
                        PRIMARY KEY (person_id, opened_at)
                    ) WITHOUT ROWID, STRICT;
                    INSERT INTO account_period (person_id, opened_at, closed_at)
                        SELECT person_id, created_at, closed_at FROM account;

                    -- A print batch: one PDF and its manifest, for one date.
                    CREATE TABLE print_batch (
                        id INTEGER PRIMARY KEY,
                        reference TEXT NOT NULL UNIQUE,
                        date TEXT NOT NULL UNIQUE,
                        file TEXT NOT NULL,
                        volumes INTEGER NOT NULL,
                        manifest TEXT NOT NULL,
                        sha256 TEXT NOT NULL,
                        letters INTEGER NOT NULL,
                        pages INTEGER NOT NULL,
                        created_at INTEGER NOT NULL,
                        posted_at INTEGER
                    ) STRICT;

                    ALTER TABLE letter ADD COLUMN statement_id INTEGER REFERENCES statement(id);
                    ALTER TABLE letter ADD COLUMN batch_id INTEGER REFERENCES print_batch(id);
                    -- A statement goes to the post at most once as a monthly statement.
                    CREATE UNIQUE INDEX letter_postal_statement ON letter(statement_id) WHERE kind = 'releve_mensuel';
                    CREATE INDEX letter_by_person ON letter(person_id, kind, created_at);

                    -- How each statement was delivered ('online', 'post', 'online_post'; NULL before v4),
                    -- and whether its e-mail notice is still to be sent.
                    ALTER TABLE statement ADD COLUMN delivery TEXT;
                    ALTER TABLE statement ADD COLUMN notice_pending INTEGER NOT NULL DEFAULT 0;

                    -- Exports to complementary insurers: each run covers the payments after the
                    -- previous run's last payment id, so each line is exported once.
                    CREATE TABLE insurer_export (
                        id INTEGER PRIMARY KEY,
                        complementaire_code TEXT NOT NULL,
                        date TEXT NOT NULL,
                        file TEXT NOT NULL,
                        sha256 TEXT NOT NULL,
                        lines INTEGER NOT NULL,
                        first_payment_id INTEGER NOT NULL,
                        last_payment_id INTEGER NOT NULL,
                        created_at INTEGER NOT NULL,
                        UNIQUE (complementaire_code, date)
                    ) STRICT;
                    """)
        }
        migrator.registerMigration("v5: imports in short transactions (pending ledgers, staged updates)") { db in
            try db.execute(
                sql: """
                    -- An import commits in short chunks so that logins and other writers are never
                    -- held for long; until its ledger row is 'done', its payments are invisible
                    -- to every reader, updates of known assurés wait in the staging tables, and
                    -- a failed or interrupted import is removed whole.
                    ALTER TABLE import_ledger ADD COLUMN state TEXT NOT NULL DEFAULT 'done';
                    CREATE INDEX payment_by_import ON payment(import_id);

                    CREATE TABLE import_new_person (
                        import_id INTEGER NOT NULL REFERENCES import_ledger(id),
                        person_id INTEGER NOT NULL,
                        PRIMARY KEY (import_id, person_id)
                    ) WITHOUT ROWID, STRICT;

                    CREATE TABLE import_staged_person (
                        import_id INTEGER NOT NULL REFERENCES import_ledger(id),
                        person_id INTEGER NOT NULL,
                        last_name TEXT NOT NULL,
                        first_names TEXT NOT NULL,
                        birth_date TEXT NOT NULL,
                        address_lines TEXT NOT NULL,
                        postal_code TEXT NOT NULL,
                        city TEXT NOT NULL,
                        regime TEXT NOT NULL,
                        caisse_code TEXT NOT NULL,
                        caisse_name TEXT NOT NULL,
                        doctor_name TEXT,
                        doctor_since TEXT,
                        long_term_condition INTEGER NOT NULL,
                        content_hash BLOB NOT NULL,
                        PRIMARY KEY (import_id, person_id)
                    ) WITHOUT ROWID, STRICT;

                    CREATE TABLE import_staged_beneficiary (
                        import_id INTEGER NOT NULL,
                        person_id INTEGER NOT NULL,
                        rank INTEGER NOT NULL,
                        first_name TEXT NOT NULL,
                        birth_date TEXT NOT NULL,
                        complementaire_code TEXT,
                        complementaire_name TEXT,
                        noemie_active INTEGER NOT NULL,
                        PRIMARY KEY (import_id, person_id, rank)
                    ) WITHOUT ROWID, STRICT;
                    """)
        }
        migrator.registerMigration("v6: provisional-code letters know their code") { db in
            // A pending letter whose code has been used is withdrawn (never printed: it would
            // carry a spent code, in plain text, to the post).
            try db.execute(sql: "ALTER TABLE letter ADD COLUMN provisional_code_id INTEGER REFERENCES provisional_code(id)")
        }
        migrator.registerMigration("v7: documents issued on request, checkable by anyone") { db in
            try db.execute(
                sql: """
                    -- A period of payments, a payment's décompte, a yearly summary: archived like a
                    -- statement (file durable before its row), found again by reference or SHA-256.
                    CREATE TABLE document (
                        id INTEGER PRIMARY KEY,
                        person_id INTEGER NOT NULL REFERENCES person(id),
                        kind TEXT NOT NULL,
                        reference TEXT NOT NULL UNIQUE,
                        period_from TEXT NOT NULL,
                        period_to TEXT NOT NULL,
                        issued_on TEXT NOT NULL,
                        file TEXT NOT NULL,
                        sha256 TEXT NOT NULL,
                        fingerprint TEXT NOT NULL,
                        size INTEGER NOT NULL,
                        pages INTEGER NOT NULL,
                        created_at INTEGER NOT NULL
                    ) STRICT;
                    CREATE INDEX document_by_person ON document(person_id, issued_on);
                    CREATE INDEX document_by_sha256 ON document(sha256);
                    """)
        }
        migrator.registerMigration("v8: insurer clients, their tokens and acknowledgements") { db in
            try db.execute(
                sql: """
                    -- A complementary insurer's machine access: secret and tokens stored hashed.
                    CREATE TABLE insurer_client (
                        client_id TEXT PRIMARY KEY,
                        complementaire_code TEXT NOT NULL,
                        name TEXT NOT NULL,
                        secret_hash TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        rotated_at INTEGER,
                        revoked_at INTEGER
                    ) WITHOUT ROWID, STRICT;
                    CREATE TABLE insurer_token (
                        token_hash TEXT PRIMARY KEY,
                        client_id TEXT NOT NULL REFERENCES insurer_client(client_id),
                        expires_at INTEGER NOT NULL
                    ) WITHOUT ROWID, STRICT;
                    -- The pull feed's acknowledgements: with the file exports, the insurer's watermark.
                    CREATE TABLE insurer_ack (
                        id INTEGER PRIMARY KEY,
                        complementaire_code TEXT NOT NULL,
                        client_id TEXT NOT NULL,
                        last_payment_id INTEGER NOT NULL,
                        acknowledged_at INTEGER NOT NULL
                    ) STRICT;
                    CREATE INDEX insurer_ack_by_code ON insurer_ack(complementaire_code, last_payment_id);
                    """)
        }
        migrator.registerMigration("v9: federated logins (OpenID Connect)") { db in
            try db.execute(
                sql: """
                    -- A provider's account linked to an assuré, so the next login does not re-match.
                    CREATE TABLE federated_link (
                        provider TEXT NOT NULL,
                        subject TEXT NOT NULL,
                        person_id INTEGER NOT NULL REFERENCES person(id),
                        identity TEXT NOT NULL,
                        linked_at INTEGER NOT NULL,
                        last_login_at INTEGER NOT NULL,
                        PRIMARY KEY (provider, subject)
                    ) WITHOUT ROWID, STRICT;
                    CREATE INDEX federated_link_by_person ON federated_link(person_id);
                    -- A login in progress (state, nonce, PKCE verifier), bound to one browser or one
                    -- CLI run by `binding_hash`; or an account opening waiting for its terms and e-mail.
                    CREATE TABLE federated_pending (
                        state_hash BLOB PRIMARY KEY,
                        binding_hash BLOB NOT NULL,
                        purpose TEXT NOT NULL,
                        nonce TEXT NOT NULL,
                        verifier TEXT NOT NULL,
                        redirect_uri TEXT NOT NULL,
                        session_hash BLOB,
                        person_id INTEGER REFERENCES person(id),
                        subject TEXT,
                        identity TEXT,
                        id_token TEXT,
                        created_at INTEGER NOT NULL,
                        expires_at INTEGER NOT NULL,
                        used_at INTEGER
                    ) WITHOUT ROWID, STRICT;
                    CREATE INDEX federated_pending_by_expiry ON federated_pending(expires_at);
                    -- How a session was opened; the provider's ID token (for its logout) and the last
                    -- fresh provider login (re-authentication for sensitive actions).
                    ALTER TABLE session ADD COLUMN method TEXT NOT NULL DEFAULT 'code';
                    ALTER TABLE session ADD COLUMN id_token TEXT;
                    ALTER TABLE session ADD COLUMN reauthenticated_at INTEGER;
                    CREATE INDEX person_by_birth_date ON person(birth_date);
                    """)
        }
        migrator.registerMigration("v10: shared throttles, issuing work leases") { db in
            try db.execute(
                sql: """
                    -- One row per counted event (a failed code, a code request…) of a hashed key;
                    -- every web node on the base counts in the same table (`at` in milliseconds).
                    CREATE TABLE throttle_event (
                        id INTEGER PRIMARY KEY,
                        key BLOB NOT NULL,
                        at INTEGER NOT NULL
                    ) STRICT;
                    CREATE INDEX throttle_event_by_key ON throttle_event(key, at);
                    CREATE INDEX throttle_event_by_time ON throttle_event(at);
                    -- The assurés still to state for a month, leased by the issuing worker rendering
                    -- them (`lease_until` in seconds); a row goes when its statement commits.
                    CREATE TABLE statement_work (
                        month TEXT NOT NULL,
                        person_id INTEGER NOT NULL REFERENCES person(id),
                        lease_owner TEXT,
                        lease_until INTEGER,
                        PRIMARY KEY (month, person_id)
                    ) WITHOUT ROWID, STRICT;
                    """)
        }
        migrator.registerMigration("v11: retention") { db in
            try db.execute(
                sql: """
                    -- Statements removed from the base by a retention pass whose archived files are
                    -- still to remove: written in the removal's transaction, deleted once the files
                    -- are gone (a pass killed in between finishes them on its next run).
                    CREATE TABLE retired_file (
                        id INTEGER PRIMARY KEY,
                        month TEXT NOT NULL,
                        reference TEXT NOT NULL,
                        file TEXT NOT NULL,
                        sha256 TEXT NOT NULL,
                        size INTEGER NOT NULL,
                        retired_at INTEGER NOT NULL
                    ) STRICT;
                    """)
        }
        return migrator
    }
}
