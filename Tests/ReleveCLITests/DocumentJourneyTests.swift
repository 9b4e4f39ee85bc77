import Foundation
import ReleveTestSupport
import Testing

/// Documents through the real binary: an assuré writes a period, a décompte and a yearly
/// summary, logs out, and anyone checks them with `verifier-document` (no session): 0 for a
/// genuine one, 65 for an altered one, 64 and 66 for mistakes.
@Suite("CLI: documents and their check", .serialized)
struct DocumentJourneyTests {
    @Test("period, décompte and summary written; checked without a session by file or by reference and fingerprint")
    func journey() throws {
        let box = try AccountJourneyTests.Sandbox()
        let clock = "2026-11-30 12:00:00"
        func run(_ arguments: [String], input: String? = nil) throws -> ProcessResult {
            try Run.releve(arguments, environment: box.environment, input: input, clock: clock)
        }
        let nir = "1701275112034"
        let code = try box.orderCode(nir: nir, name: "Martin", birth: "03/12/1970", postalCode: "75012")
        #expect(try box.activate(nir: nir, code: code, personal: "39451827").status == 0)
        #expect(try box.login(nir: nir, code: "39451827").status == 0)

        let period = box.directory.appendingPathComponent("paiements.pdf").path
        let written = try run(["paiements", "--mois", "6", "--detail", "--format", "pdf", "--sortie", period])
        #expect(written.status == 0, "\(written.stderr)")
        #expect(written.stdout.contains("Référence DOC-751-P2026-"))
        #expect(try run(["paiements", "--format", "pdf"]).status == 64)
        #expect(try run(["paiements", "--sortie", period]).status == 64)

        let csv = try run(["paiements", "--mois", "6", "--format", "csv"]).stdout.split(whereSeparator: \.isNewline)
        let reference = String(try #require(csv.dropFirst().first).split(separator: ",")[1])
        let decompte = box.directory.appendingPathComponent("decompte.pdf").path
        #expect(try run(["decompte", reference, "--sortie", decompte]).status == 0)
        #expect(try run(["decompte", "000-INCONNU", "--sortie", decompte]).status == 65)
        let summary = box.directory.appendingPathComponent("recap.pdf").path
        #expect(try run(["recapitulatif", "2025", "--sortie", summary]).status == 0)
        #expect(try run(["recapitulatif", "2026", "--sortie", summary]).status == 65)
        #expect(try run(["deconnexion"]).status == 0)

        for file in [period, decompte, summary] {
            let check = try run(["verifier-document", file])
            #expect(check.status == 0 && check.stdout.hasPrefix("Document authentique"), "\(check.stdout)\(check.stderr)")
            #expect(!check.stdout.contains("MARTIN") && !check.stdout.contains("€"))
        }
        var bytes = try Data(contentsOf: URL(fileURLWithPath: period))
        bytes[bytes.count / 2] ^= 0x01
        let altered = box.directory.appendingPathComponent("modifie.pdf").path
        try bytes.write(to: URL(fileURLWithPath: altered))
        let refused = try run(["verifier-document", altered])
        #expect(refused.status == 65 && refused.stdout.hasPrefix("Document inconnu ou modifié"))

        let printed = written.stdout.firstMatch(of: /Référence (DOC-[A-Z0-9-]+) ; empreinte ([0-9a-f]{64})/)
        let (documentReference, fingerprint) = (String(try #require(printed).1), String(try #require(printed).2))
        #expect(try run(["verifier-document", "--reference", documentReference, "--empreinte", fingerprint]).status == 0)
        #expect(
            try run(["verifier-document", "--reference", documentReference, "--empreinte", String(repeating: "0", count: 64)])
                .status == 65)
        #expect(try run(["verifier-document"]).status == 64)
        #expect(try run(["verifier-document", period, "--reference", documentReference]).status == 64)
        #expect(try run(["verifier-document", box.directory.path]).status == 66)
    }
}
