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
        return migrator
    }
}
