import Crypto
import Foundation
import Logging
import PostgresNIO
import ReleveDomain
import ReleveStore

/// One table of a copy from SQLite: rows on each side and their digests.
public struct TableCopy: Sendable, Equatable {
    public var table: String
    public var sourceRows: Int
    public var copiedRows: Int
    public var sourceDigest: String
    public var copiedDigest: String

    public var matches: Bool { sourceRows == copiedRows && sourceDigest == copiedDigest }
}

/// `releve admin migrer --vers postgres://…`: a SQLite base copied whole into an empty
/// PostgreSQL base, in one transaction that commits only if every table's row count and digest
/// are the same on both sides.
///
/// The source is read in one read transaction (one snapshot, whatever else writes meanwhile);
/// each table goes in by COPY, in foreign-key order, with every id kept (the identity sequences
/// are moved past them). A table's digest is order-free — the wrapping sum of each row's
/// SHA-256 over its values in PostgreSQL's text form — so the two sides need not sort alike.
extension PostgresStore {
    /// Tables in foreign-key order.
    static let copyOrder = [
        "person", "import_ledger", "beneficiary", "statement_run", "statement", "payment", "payment_line", "account",
        "account_period", "login_failure", "provisional_code", "code_request", "email_token", "session", "print_batch",
        "letter", "audit_event", "setting", "document", "insurer_client", "insurer_token", "insurer_ack", "insurer_export",
        "federated_link", "federated_pending", "retired_file",
    ]
    /// Working tables that are not copied: throttles and leases (short-lived), and SQLite's
    /// import staging (empty outside an import; refused otherwise).
    static let notCopied: Set<String> = [
        "throttle_event", "statement_work", "import_new_person", "import_staged_person", "import_staged_beneficiary",
    ]

    public func copy(from source: SQLiteStore, progress: (@Sendable (String, Int) -> Void)? = nil) async throws
        -> [TableCopy]
    {
        let sourceTables = try await source.tableColumns()
        let unknown = sourceTables.map(\.table).filter { !Self.copyOrder.contains($0) && !Self.notCopied.contains($0) }
        guard unknown.isEmpty else {
            throw StoreError.database("tables inconnues de cette version : \(unknown.joined(separator: ", "))")
        }
        guard try await isEmptyBase() else {
            throw StoreError.cannotOpen(
                path: url, reason: "la base de destination n'est pas vide : la copie se fait dans une base neuve")
        }
        let types = try await columnTypes()
        let columnsBySource = Dictionary(sourceTables.map { ($0.table, $0.columns) }, uniquingKeysWith: { a, _ in a })
        var steps: [(table: String, columns: [String], sql: String)] = []
        for table in Self.copyOrder {
            guard let columns = columnsBySource[table] else { continue }
            let missing = columns.filter { types[table]?[$0] == nil }
            guard missing.isEmpty else {
                throw StoreError.database("colonnes absentes de PostgreSQL : \(table).\(missing.joined(separator: ", "))")
            }
            if table == "payment_line" {
                // Lines carry their payment's assuré and date here (the partition key).
                let all = ["person_id", "payment_date"] + columns
                let select = "p.person_id, p.payment_date, " + columns.map { "l.\($0)" }.joined(separator: ", ")
                steps.append((table, all, "SELECT \(select) FROM payment_line l JOIN payment p ON p.id = l.payment_id"))
            } else {
                steps.append((table, columns, "SELECT \(columns.joined(separator: ", ")) FROM \(table)"))
            }
        }
        let staging = try await source.snapshotCount("SELECT count(*) FROM import_new_person")
        guard staging == 0 else {
            throw StoreError.database("un import interrompu est en cours dans la base SQLite : relancez-le avant de migrer")
        }

        let logger = self.logger
        let plan = steps
        let plannedTypes = plan.map { step in step.columns.map { types[step.table]?[$0] ?? "text" } }
        let state = CopyState(count: plan.count)
        return try await client.withConnection { connection in
            try await connection.query("BEGIN", logger: logger)
            do {
                try await source.snapshot(plan.map(\.sql)) { index, rows in
                    let table = plan[index].table
                    if state.started.insert(index).inserted, table == "payment_line" {
                        _ = try Self.wait {
                            try await connection.query(
                                """
                                SELECT releve_month_partition(m) FROM (
                                    SELECT DISTINCT date_trunc('month', payment_date)::date AS m FROM payment) months
                                """, logger: logger)
                        }
                    }
                    var buffer = ByteBuffer()
                    for row in rows {
                        state.digests[index].add(row.enumerated().map { Self.text($1, type: plannedTypes[index][$0]) })
                        Self.writeCopyLine(row, types: plannedTypes[index], into: &buffer)
                    }
                    let columns = plan[index].columns
                    let batch = buffer
                    try Self.wait {
                        try await connection.copy(batch, into: table, columns: columns, logger: logger, url: "PostgreSQL")
                    }
                    progress?(table, state.digests[index].rows)
                }
                var reports: [TableCopy] = []
                for (index, step) in plan.enumerated() {
                    let copied = try await Self.digest(
                        table: step.table, columns: step.columns, connection: connection, logger: logger)
                    let source = state.digests[index]
                    reports.append(
                        TableCopy(
                            table: step.table, sourceRows: source.rows, copiedRows: copied.rows, sourceDigest: source.value,
                            copiedDigest: copied.value))
                }
                guard reports.allSatisfy(\.matches) else {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    let wrong = reports.filter { !$0.matches }.map(\.table).joined(separator: ", ")
                    throw StoreError.corrupt("copie inexacte (\(wrong)) : rien n'a été gardé dans PostgreSQL")
                }
                try await Self.moveSequencesPastCopiedIDs(connection, logger: logger)
                try await connection.query("COMMIT", logger: logger)
                return reports
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    /// No assuré, no audit row, no setting, no import: nothing an operator would lose.
    public func isEmptyBase() async throws -> Bool {
        for try await count in try await client.query(
            """
            SELECT (SELECT count(*) FROM person) + (SELECT count(*) FROM audit_event) + (SELECT count(*) FROM setting)
                + (SELECT count(*) FROM import_ledger)
            """, logger: logger
        ).decode(Int64.self) {
            return count == 0
        }
        return false
    }

    /// Each table's columns and their PostgreSQL types.
    func columnTypes() async throws -> [String: [String: String]] {
        var types: [String: [String: String]] = [:]
        for try await (table, column, type) in try await client.query(
            """
            SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns
            WHERE table_schema = current_schema()
            """, logger: logger
        ).decode((String, String, String).self) {
            types[table, default: [:]][column] = type
        }
        return types
    }

    /// Identity columns continue after the ids the copy brought.
    static func moveSequencesPastCopiedIDs(_ connection: PostgresConnection, logger: Logger) async throws {
        var identities: [(String, String)] = []
        for try await row in try await connection.query(
            """
            SELECT table_name::text, column_name::text FROM information_schema.columns
            WHERE table_schema = current_schema() AND is_identity = 'YES'
              AND table_name NOT LIKE 'payment\\_line\\_%'
            """, logger: logger
        ).decode((String, String).self) {
            identities.append(row)
        }
        for (table, column) in identities {
            try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        SELECT setval(pg_get_serial_sequence('\(table)', '\(column)'),
                            coalesce((SELECT max(\(column)) FROM \(table)), 0) + 1, false)
                        """), logger: logger)
        }
    }

    /// The copied table's row count and digest, read back in the same transaction.
    static func digest(table: String, columns: [String], connection: PostgresConnection, logger: Logger) async throws
        -> TableDigest
    {
        var digest = TableDigest()
        let fields = columns.map { "coalesce(\($0)::text, E'\\x01')" }.joined(separator: ", ")
        for try await line in try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT concat_ws(E'\\x1f', \(fields)) FROM \(table)"), logger: logger
        ).decode(String.self) {
            digest.add(line)
        }
        return digest
    }

    /// A source value in PostgreSQL's text form for `type` (what `value::text` gives there);
    /// U+0001 for NULL.
    static func text(_ value: CellValue, type: String) -> String {
        switch (value, type) {
        case (.null, _): "\u{1}"
        case (.integer(let v), "boolean"): v == 0 ? "false" : "true"
        case (.blob(let bytes), "bytea"): "\\x" + French.hex(bytes)
        case (.text(let s), "bytea"): "\\x" + French.hex(Array(s.utf8))
        case (.integer(let v), _): String(v)
        case (.real(let v), _): String(v)
        case (.text(let s), _): s
        case (.blob(let bytes), _): String(decoding: bytes, as: UTF8.self)
        }
    }

    /// One row in COPY's text format.
    static func writeCopyLine(_ row: [CellValue], types: [String], into buffer: inout ByteBuffer) {
        for (index, value) in row.enumerated() {
            if index > 0 { buffer.writeString("\t") }
            switch value {
            case .null: buffer.writeString("\\N")
            default:
                let text = Self.text(value, type: types[index])
                // bytea's leading backslash is itself escaped in COPY's text format.
                buffer.writeString(PostgresImportSession.copyEscaped(text))
            }
        }
        buffer.writeString("\n")
    }

    /// Runs `body` to its end from a thread outside the cooperative pool (the snapshot's
    /// reading thread), which waits.
    static func wait<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let waiter = Waiter<T>()
        Task {
            do { waiter.result = .success(try await body()) } catch { waiter.result = .failure(error) }
            waiter.done.signal()
        }
        waiter.done.wait()
        return try waiter.result!.get()
    }
}

/// An order-free digest of a table: row count and the wrapping sum of the rows' SHA-256.
struct TableDigest: Sendable {
    var rows = 0
    private var lanes: [UInt64] = [0, 0, 0, 0]

    mutating func add(_ fields: [String]) {
        add(fields.joined(separator: "\u{1F}"))
    }

    mutating func add(_ line: String) {
        rows += 1
        let hash = Array(SHA256.hash(data: Array(line.utf8)))
        for lane in 0..<4 {
            var word: UInt64 = 0
            for byte in hash[(lane * 8)..<(lane * 8 + 8)] { word = word << 8 | UInt64(byte) }
            lanes[lane] &+= word
        }
    }

    var value: String { lanes.map { String(format: "%016llx", $0) }.joined() }
}

/// The copy's running state, touched only by the snapshot's reading thread, one batch at a time.
private final class CopyState: @unchecked Sendable {
    var digests: [TableDigest]
    var started: Set<Int> = []

    init(count: Int) { digests = Array(repeating: TableDigest(), count: count) }
}

private final class Waiter<T: Sendable>: @unchecked Sendable {
    var result: Result<T, any Error>?
    let done = DispatchSemaphore(value: 0)
}
