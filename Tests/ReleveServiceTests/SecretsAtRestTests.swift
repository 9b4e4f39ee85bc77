import Foundation
import GRDB
import ReleveDomain
import ReleveStore
import ReleveTestSupport
import Testing

@testable import ReleveService

/// SECURITY.md goals 7 and 25: after a whole journey, a dump of every table, the audit log and
/// the e-mail spool hold none of the secrets typed or issued (personal code, secret answer,
/// session and e-mail tokens); the provisional code appears only in its pending letter.
@Suite("Secrets at rest")
struct SecretsAtRestTests {
    @Test("no secret in the database dump, the audit log or the e-mails")
    func noSecrets() async throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("r.sqlite").path
        let store = try await SQLiteStore.open(path: path)
        let world = try await AccountWorld(store: store)
        let provisional = try await world.orderCode()
        let answer = "Zéphyrine Quatrefages"
        _ = try await world.service.openAccount(
            world.openingRequest(code: provisional, personal: "73920581", answer: answer), channel: .cli, now: world.now)
        let link = try world.lastLink()
        let emailToken = String(link.split(separator: "=").last!)
        _ = try await world.service.confirmEmail(linkOrToken: link, channel: .cli, now: world.now)
        let session = try await world.service.login(nir: AccountWorld.nir, code: "73920581", channel: .cli, now: world.now)
        _ = try? await world.service.login(nir: AccountWorld.nir, code: "61829374", channel: .cli, now: world.now)
        let renewed = try await world.service.changeCode(
            token: session.token, current: "73920581", new: "50716293", confirmation: "50716293", channel: .cli, now: world.now)
        try store.close()

        // Dump every row of every table as text, blobs in hex and as UTF-8.
        let queue = try DatabaseQueue(path: path)
        let (dump, letters) = try await queue.read { db in
            var dump = ""
            var letters = ""
            for table in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") {
                for row in try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\"") {
                    var text = ""
                    for (_, value) in row {
                        switch value.storage {
                        case .blob(let data):
                            text += data.map { String(format: "%02x", $0) }.joined() + " " + String(decoding: data, as: UTF8.self)
                        default: text += value.description
                        }
                        text += " | "
                    }
                    if table == "letter" { letters += text } else { dump += text + "\n" }
                }
            }
            return (dump, letters)
        }
        let wal = (try? Data(contentsOf: URL(fileURLWithPath: path + "-wal"))) ?? Data()
        let file = try Data(contentsOf: URL(fileURLWithPath: path)) + wal
        let mails = try world.mails().joined(separator: "\n")
        let audit = try await SQLiteStore.open(path: path).auditEvents(limit: 1000).map { "\($0)" }.joined(separator: "\n")

        let secrets = [
            "73920581", "50716293", "61829374", answer, answer.lowercased(), "zéphyrine quatrefages", session.token,
            renewed.token,
        ]
        for secret in secrets {
            #expect(!dump.contains(secret), "\(secret) in the dump")
            #expect(!audit.contains(secret), "\(secret) in the audit log")
            #expect(!mails.contains(secret), "\(secret) in an e-mail")
            #expect(file.range(of: Data(secret.utf8)) == nil, "\(secret) in the database file")
        }
        // The e-mail token lives only in the message sent to the assuré.
        #expect(!dump.contains(emailToken))
        #expect(file.range(of: Data(emailToken.utf8)) == nil)
        #expect(mails.contains(emailToken))
        // The provisional code lived only in its pending letter; spent, the letter is withdrawn
        // (never printed) and the code is nowhere in clear.
        let spaced = String(provisional.prefix(4)) + " " + String(provisional.suffix(4))
        #expect(!dump.contains(provisional) && !dump.contains(spaced))
        #expect(!mails.contains(provisional) && !audit.contains(provisional))
        #expect(!letters.contains(spaced))
        // The dump is real: it holds what is not secret.
        #expect(dump.contains("jean.martin@exemple.fr") && dump.contains("pbkdf2-sha256$"))
        // Audit subjects are masked NIRs, never the whole number.
        #expect(!audit.contains(AccountWorld.nir))
        #expect(audit.contains("1 70 12 XX XXX XXX XX"))
    }
}
