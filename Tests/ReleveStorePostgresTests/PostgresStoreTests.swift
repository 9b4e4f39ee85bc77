import Foundation
import ReleveDomain
import ReleveStore
import ReleveTestSupport
import Testing

@testable import ReleveStorePostgres

/// The PostgreSQL engine against a real server (Tests/postgres/grappe.sh): migrations under an
/// advisory lock, a newer schema refused, the server's faults as French errors, the partitions
/// of payment lines, and the protocols implemented so far.
@Suite(
    "PostgreSQL store", .enabled(if: PostgresTestServer.url != nil, "no PostgreSQL cluster: Tests/postgres/grappe.sh demarrer"))
struct PostgresStoreTests {
    @Test("a fresh base is migrated once; opening again changes nothing")
    func migrations() async throws {
        let (url, drop) = try PostgresTestServer.database()
        defer { drop() }
        let store = try await PostgresStore.open(url: url)
        #expect(try await store.schemaVersions() == PostgresSchema.migrations.map(\.version))
        store.close()
        let tables = try await PostgresTestServer.psql(url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        let again = try await PostgresStore.open(url: url)
        #expect(try await again.schemaVersions() == PostgresSchema.migrations.map(\.version))
        again.close()
        #expect(try await PostgresTestServer.psql(url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == tables)
        #expect(Int(tables) ?? 0 >= 28)
    }

    @Test("four processes' worth of stores migrating at once: one applies, the others wait and find it done")
    func concurrentMigrations() async throws {
        let (url, drop) = try PostgresTestServer.database()
        defer { drop() }
        let versions = try await withThrowingTaskGroup(of: [Int].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let store = try await PostgresStore.open(url: url)
                    defer { store.close() }
                    return try await store.schemaVersions()
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(versions.count == 4 && versions.allSatisfy { $0 == PostgresSchema.migrations.map(\.version) })
        #expect(
            try await PostgresTestServer.psql(url, "SELECT count(*) FROM releve_schema") == "\(PostgresSchema.migrations.count)")
    }

    @Test("a saturated pool: callers wait their turn within the bound, the rest are refused at once as unavailable")
    func saturatedPool() async throws {
        let (url, drop) = try PostgresTestServer.database()
        defer { drop() }
        let store = try await PostgresStore.open(url: url)
        defer { store.close() }
        /// 20 queries of 2 s at once through a gate of 2, with 3 places to wait `wait`. Two
        /// seconds, not less: on a loaded machine a task may start late, and one arriving after
        /// a first query ended would rightly be served (a CI run saw 3 served with 0.5 s queries).
        func burst(wait: Duration) async -> (served: Int, refused: Int, other: Int) {
            let pool = BoundedPool(pool: store.client.pool, limit: 2, queueLimit: 3, wait: wait, url: "test")
            return await withTaskGroup(of: Int.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        do {
                            try await pool.query("SELECT pg_sleep(2)", logger: store.logger)
                            return 0
                        } catch StoreError.unavailable {
                            return 1
                        } catch {
                            return 2
                        }
                    }
                }
                var counts = (served: 0, refused: 0, other: 0)
                for await outcome in group {
                    switch outcome {
                    case 0: counts.served += 1
                    case 1: counts.refused += 1
                    default: counts.other += 1
                    }
                }
                return counts
            }
        }
        let short = await burst(wait: .milliseconds(200))
        #expect(short.served == 2 && short.refused == 18 && short.other == 0, "\(short)")
        let long = await burst(wait: .seconds(10))
        #expect(long.served == 5 && long.refused == 15 && long.other == 0, "\(long)")
        #expect(try await store.maintenanceMessage() == nil, "the store works on afterwards")
    }

    @Test("a base migrated by a newer Releve is refused, unchanged")
    func newerSchema() async throws {
        let (url, drop) = try PostgresTestServer.database()
        defer { drop() }
        try await PostgresStore.open(url: url).close()
        try await PostgresTestServer.psql(url, "INSERT INTO releve_schema (version, name) VALUES (99, 'future')")
        let before = try await PostgresTestServer.psql(
            url, "SELECT string_agg(version::text, ',' ORDER BY version) FROM releve_schema")
        await #expect {
            _ = try await PostgresStore.open(url: url)
        } throws: { error in
            guard case StoreError.newerSchema(let versions) = error else { return false }
            return versions == ["postgres v99"]
        }
        #expect(
            try await PostgresTestServer.psql(url, "SELECT string_agg(version::text, ',' ORDER BY version) FROM releve_schema")
                == before)
    }

    @Test("no server, a wrong password, an unknown base: French causes, no hang beyond the 5 s connect timeout")
    func faults() async throws {
        let server = try #require(PostgresTestServer.url)
        // Timed on threads of its own (a task executor preference): the CLI suites' blocking
        // tests occupy the two cooperative threads for tens of seconds, and what is measured
        // here is the store's wait, not the test pool's.
        let elapsed = await withTaskExecutorPreference(ThreadPerJobExecutor.shared) {
            let started = ContinuousClock.now
            await #expect {
                _ = try await PostgresStore.open(url: "postgres://postgres@127.0.0.1:9/postgres")
            } throws: { error in
                guard case StoreError.unavailable(_, let reason) = error else { return false }
                return reason.contains("injoignable")
            }
            return ContinuousClock.now - started
        }
        // The connect timeout is 5 s; before the probe, the pool retried until its circuit
        // breaker answered after 67 s. The bound tells the two apart with room for a loaded
        // 2-core machine running the whole suite at once.
        #expect(elapsed < .seconds(60))
        let wrong = server.replacingOccurrences(of: #"//postgres:[^@]*@"#, with: "//postgres:faux@", options: .regularExpression)
        await #expect {
            _ = try await PostgresStore.open(url: wrong)
        } throws: { error in
            guard case StoreError.cannotOpen(let path, let reason) = error else { return false }
            return reason.contains("connexion refusée par le serveur") && !path.contains("faux")
        }
        let unknown = server.replacingOccurrences(of: #"/[^/?]*$"#, with: "/base_inconnue", options: .regularExpression)
        await #expect {
            _ = try await PostgresStore.open(url: unknown)
        } throws: { error in
            guard case StoreError.cannotOpen(_, let reason) = error else { return false }
            return reason.contains("base inconnue")
        }
        #expect(throws: StoreError.self) { try PostgresStore.endpoint(url: "/var/lib/releve.sqlite") }
    }

    @Test("settings, maintenance and audit rows: written together, read back in order")
    func settingsAndAudit() async throws {
        let (url, drop) = try PostgresTestServer.database()
        defer { drop() }
        let store = try await PostgresStore.open(url: url)
        defer { store.close() }
        #expect(try await store.maintenanceMessage() == nil)
        try await store.setMaintenance(
            "Retour à 14 h", audit: AuditEvent(at: 10, kind: "maintenance", outcome: "on", channel: "operator"))
        #expect(try await store.maintenanceMessage() == "Retour à 14 h")
        try await store.setMaintenance(nil, audit: AuditEvent(at: 11, kind: "maintenance", outcome: "off", channel: "operator"))
        #expect(try await store.maintenanceMessage() == nil)
        try await store.setSetting(
            "duplicatas_par_mois", "7", audit: AuditEvent(at: 12, kind: "setting", outcome: "changed", detail: "7"))
        #expect(try await store.setting("duplicatas_par_mois") == "7")
        try await store.appendAudit([
            AuditEvent(at: 13, kind: "login", outcome: "failure", subject: "1 70 12 ** *** *** **", channel: "web"),
            AuditEvent(at: 14, kind: "login", outcome: "success", subject: "1 70 12 ** *** *** **", channel: "web"),
        ])
        let events = try await store.auditEvents(limit: 4)
        #expect(events.map(\.at) == [11, 12, 13, 14])
        #expect(events.last?.subject == "1 70 12 ** *** *** **" && events[1].detail == "7")
    }

    @Test("payment lines go to their month's partition, created ahead; other months to the default one")
    func partitions() async throws {
        let (url, drop) = try PostgresTestServer.database()
        defer { drop() }
        try await PostgresStore.open(url: url).close()
        #expect(try await PostgresTestServer.psql(url, "SELECT releve_month_partition('2026-10-17')") == "payment_line_2026_10")
        #expect(try await PostgresTestServer.psql(url, "SELECT releve_month_partition('2026-10-01')") == "payment_line_2026_10")
        try await PostgresTestServer.psql(
            url,
            """
            INSERT INTO import_ledger (sha256, file_name, imported_at, persons, payments, lines, already_present)
                VALUES ('x', 'f', '2026-11-01T00:00:00Z', 1, 1, 1, 0);
            INSERT INTO person (nir, last_name, first_names, birth_date, address_lines, postal_code, city, regime,
                caisse_code, caisse_name, long_term_condition, content_hash)
                VALUES ('1701275112034', 'Martin', 'Jean', '1970-12-03', '12 rue', '75012', 'Paris', 'general', '751',
                'CPAM de Paris', false, '\\x00');
            INSERT INTO payment (person_id, reference, payment_date, payee_kind, kind, content_hash, import_id)
                SELECT p.id, r, d::date, 'assure', 'remboursement', '\\x00', 1
                FROM person p, (VALUES ('R1', '2026-10-06'), ('R2', '2026-09-06')) v(r, d);
            INSERT INTO payment_line (person_id, payment_id, payment_date, position, care_date, beneficiary_rank, kind,
                act_code, label, quantity, paid, base, rate_bp, reimbursed, transmitted)
                SELECT person_id, id, payment_date, 1, payment_date, 1, 'consultation', 'G', 'Consultation', 1, 3000, 3000,
                7000, 2100, true FROM payment;
            """)
        #expect(try await PostgresTestServer.psql(url, "SELECT count(*) FROM payment_line_2026_10") == "1")
        #expect(try await PostgresTestServer.psql(url, "SELECT count(*) FROM payment_line_other") == "1")
        #expect(try await PostgresTestServer.psql(url, "SELECT count(*) FROM payment_line") == "2")
    }
}
