import Foundation
import ReleveDomain
import ReleveStore
import ReleveTestSupport
import Testing

@testable import ReleveStorePostgres

/// Documents and the public check on a real PostgreSQL server.
@Suite(
    "PostgreSQL store: documents",
    .enabled(if: PostgresTestServer.url != nil, "no PostgreSQL cluster: Tests/postgres/grappe.sh demarrer"))
struct PostgresDocumentTests {
    static func document(_ reference: String, sha: String, issued: String = "2026-11-20") -> IssuedDocument {
        IssuedDocument(
            kind: .period, personID: InsuredPerson.ID(1), reference: reference, from: Fixtures.date("2026-06-01"),
            to: Fixtures.date("2026-11-30"), issuedOn: Fixtures.date(issued), file: "documents/2026/\(reference).pdf",
            sha256: sha, fingerprint: "EMP-\(reference)", size: 40_000, pages: 2)
    }

    @Test("a reference recorded twice keeps the first row; lists by assuré and by reference; statements and documents checkable")
    func documents() async throws {
        let (store, url, drop) = try await PostgresSessionTests.base()
        defer { drop() }
        defer { store.close() }
        let first = Self.document("DOC-751-P2026-0001", sha: "aa")
        #expect(try await store.recordDocument(first, at: 10) == first)
        var again = first
        again.file = "ailleurs.pdf"
        #expect(try await store.recordDocument(again, at: 11) == first)
        let second = Self.document("DOC-751-P2026-0002", sha: "bb", issued: "2026-11-25")
        _ = try await store.recordDocument(second, at: 12)
        #expect(try await store.documents(of: InsuredPerson.ID(1)).map(\.reference) == [second.reference, first.reference])
        #expect(try await store.documentFiles(after: nil, limit: 1).map(\.reference) == [first.reference])
        #expect(try await store.documentFiles(after: first.reference, limit: 5).map(\.reference) == [second.reference])
        try await PostgresTestServer.psql(
            url,
            """
            INSERT INTO statement (person_id, month, reference, issued_on, file, sha256, fingerprint, size, pages, payments,
                reimbursed) VALUES (1, '2026-10', 'REL-751-2026-10-1', '2026-11-02', 'f.pdf', 'cc', 'EMP-R', 1000, 1, 1, 2100)
            """)
        let statement = try #require(try await store.verifiableRecord(sha256: "cc"))
        #expect(statement.kind == .monthlyStatement && statement.from == Fixtures.date("2026-10-01"))
        #expect(statement.caisse == "CPAM de Paris")
        let document = try #require(try await store.verifiableRecord(reference: second.reference))
        #expect(document.kind == .period && document.sha256 == "bb" && document.issuedOn == Fixtures.date("2026-11-25"))
        #expect(try await store.verifiableRecord(reference: "DOC-inconnu") == nil)
    }
}
