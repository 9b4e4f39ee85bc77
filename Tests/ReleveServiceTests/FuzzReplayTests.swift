import Foundation
import ReleveDomain
import ReleveTestSupport
import Testing

@testable import ReleveService

/// Every input the fuzzers ever crashed on (Tests/Fuzz/FailCases) and every seed
/// (Tests/Fuzz/Corpus) goes through the same entry points as the libFuzzer targets: a
/// regression traps here, in `swift test`.
@Suite("Fuzzing inputs replayed")
struct FuzzReplayTests {
    static let root = Fixtures.packageRoot.appendingPathComponent("Tests/Fuzz")

    static func inputs(_ folder: String, _ target: String) -> [URL] {
        let directory = root.appendingPathComponent(folder).appendingPathComponent(target)
        return ((try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? [])
            .sorted { $0.path < $1.path }
    }

    @Test(arguments: FuzzEntries.targets.map(\.name))
    func replay(_ target: String) throws {
        let run = try #require(FuzzEntries.targets.first { $0.name == target }?.run)
        let seeds = Self.inputs("Corpus", target)
        #expect(!seeds.isEmpty, "no seed for \(target)")
        for file in seeds + Self.inputs("FailCases", target) {
            run(Array(try Data(contentsOf: file)))
        }
    }

    @Test func theFirstFuzzerFindingStaysFixed() throws {
        // ".\u{FFFD}.\u{FFFD}…": the 100-byte suffix of the fallback started with a dot.
        let file = Self.root.appendingPathComponent("FailCases/nom-telechargement/point-initial-apres-troncature")
        let name = String(decoding: try Data(contentsOf: file), as: UTF8.self)
        let fallback = DownloadName.asciiFallback(name)
        #expect(!fallback.hasPrefix(".") && fallback.utf8.count <= 100)
        #expect(
            DownloadName.contentDisposition(fileName: "relevé 2026.pdf")
                == "attachment; filename=\"relev___2026.pdf\"; filename*=UTF-8''relev%C3%A9%202026.pdf")
    }
}
