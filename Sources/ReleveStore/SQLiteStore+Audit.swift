import Foundation
import GRDB
import ReleveDomain

/// The audit trail (append-only) and the operator's settings: maintenance and named values.
extension SQLiteStore {
    /// The maintenance message, when assuré operations are suspended.
    public func maintenanceMessage() async throws -> String? {
        try await read { db in try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = 'maintenance'") }
    }

    public func auditEvents(limit: Int) async throws -> [AuditEvent] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit_event ORDER BY id DESC LIMIT ?", arguments: [limit]).map {
                AuditEvent(
                    at: $0["at"], kind: $0["kind"], outcome: $0["outcome"], subject: $0["subject"], channel: $0["channel"],
                    detail: $0["detail"])
            }.reversed()
        }
    }

    static func insert(_ e: AuditEvent, _ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO audit_event (at, kind, outcome, subject, channel, detail) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [e.at, e.kind, e.outcome, e.subject, e.channel, e.detail])
    }

    /// Audit rows, in one transaction.
    public func appendAudit(_ events: [AuditEvent]) async throws {
        guard !events.isEmpty else { return }
        try await write { db in for event in events { try Self.insert(event, db) } }
    }

    /// Switches maintenance on (with its message) or off.
    public func setMaintenance(_ message: String?, audit: AuditEvent) async throws {
        try await write { db in
            if let message {
                try db.execute(
                    sql:
                        "INSERT INTO setting (key, value) VALUES ('maintenance', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    arguments: [message])
            } else {
                try db.execute(sql: "DELETE FROM setting WHERE key = 'maintenance'")
            }
            try Self.insert(audit, db)
        }
    }

    public func setting(_ key: String) async throws -> String? {
        try await read { db in try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = ?", arguments: [key]) }
    }

    public func setSetting(_ key: String, _ value: String, audit: AuditEvent) async throws {
        try await write { db in
            try db.execute(
                sql: "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                arguments: [key, value])
            try Self.insert(audit, db)
        }
    }
}
