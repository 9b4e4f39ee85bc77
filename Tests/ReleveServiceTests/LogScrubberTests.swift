import Testing

@testable import ReleveService

/// What the log handler masks in every message and field (issue 18), and what it keeps.
@Suite("Log scrubbing")
struct LogScrubberTests {
    @Test("NIR with or without spaces, codes, e-mails and tokens are masked; short numbers and words stay")
    func masks() {
        #expect(LogScrubber.scrub("connexion de 1 84 12 75 112 034 refusée") == "connexion de [masqué] refusée")
        #expect(LogScrubber.scrub("code 71946258") == "code [masqué]")
        #expect(LogScrubber.scrub("écrit à jean.martin@exemple.fr hier") == "écrit à [masqué] hier")
        #expect(LogScrubber.scrub("jeton abcdefghijklmnopqrstuvwxyz012345") == "jeton [masqué]")
        #expect(LogScrubber.scrub("216 courriers, 432 pages en 2026") == "216 courriers, 432 pages en 2026")
    }

    @Test("a print batch's reference and the request id are kept under their keys, masked anywhere else")
    func checkedKeys() {
        #expect(LogScrubber.scrub("LOT-20261207", key: "batch") == "LOT-20261207")
        #expect(LogScrubber.scrub("LOT-20261207", key: "file") == "[masqué]")
        #expect(LogScrubber.scrub("0123456789abcdef", key: "request_id") == "0123456789abcdef")
    }
}
