import Foundation
import ReleveTestSupport
import Testing

/// Every sentence the CLI prints along an assurée's and an operator's day, checked by the
/// grammar checker (ReleveTestSupport/FrenchGrammar.swift): Anna Müller (a first name starting
/// with a vowel, a complémentaire without NOEMIE, so paper too) with months of 0, 1 and 2
/// payments, one and two statements, one duplicata, letters and batches, and the usual mistakes.
@Suite("CLI: French grammar sweep", .serialized)
struct FrenchGrammarSweepTests {
    @Test("the CLI's sentences along a day of use pass the grammar checks; errors start with a capital")
    func sweep() throws {
        let sandbox = try AccountJourneyTests.Sandbox()
        let clock = "2026-11-30 12:00:00"
        let nir = "2880999109042"
        var outputs: [(command: String, result: ProcessResult)] = []
        @discardableResult
        func run(_ arguments: [String], input: String? = nil) throws -> ProcessResult {
            let result = try Run.releve(arguments, environment: sandbox.environment, input: input, clock: clock)
            outputs.append((arguments.joined(separator: " "), result))
            return result
        }
        try run(["admin", "releves", "emettre", "--mois", "2026-09", "--sans-vignettes"])
        try run(["admin", "releves", "emettre", "--mois", "2026-10", "--sans-vignettes"])
        try run([
            "compte", "code-provisoire", "--nir", nir, "--nom", "Müller", "--naissance", "05/09/1988", "--code-postal", "67000",
        ])
        let list = try run(["admin", "courriers"]).stdout.split(separator: "\n").filter { $0.contains("code provisoire") }
        let id = String(try #require(list.last).split(separator: " ")[0].dropFirst(2))
        let letter = try run(["admin", "courriers", "afficher", id]).stdout
        let line = try #require(letter.split(separator: "\n").first { $0.hasPrefix("Votre code provisoire : ") })
        let code = line.dropFirst("Votre code provisoire : ".count).replacingOccurrences(of: " ", with: "")
        let personal = "39451827"
        let opened = try run(
            ["compte", "activer", "--nir", nir],
            input: [code, "oui", code, personal, personal, "1", "Dupont", "Dupont", "anna@exemple.fr"].joined(separator: "\n")
                + "\n")
        #expect(opened.status == 0, "\(opened.stderr)")
        try run(["compte", "confirmer-email"], input: try sandbox.lastLink() + "\n")
        try run(["compte", "confirmer-email"], input: try sandbox.lastLink() + "\n")
        try run(["connexion", "--nir", nir], input: "11112222\n")
        #expect(try run(["connexion", "--nir", nir], input: personal + "\n").status == 0)
        for arguments in [
            ["compte"], ["compte", "courrier"], ["medecin-traitant"], ["paiements", "--mois", "1"], ["paiements", "--mois", "2"],
            ["paiements", "--mois", "3"], ["paiements", "--mois", "6"], ["paiements", "--detail", "--mois", "2"],
            ["paiements", "--beneficiaire", "Anna", "--mois", "12"], ["paiements", "--beneficiaire", "Personne"],
            ["paiements", "--mois", "0"], ["paiements", "--mois", "99"], ["paiements", "--du", "01/01/2020"], ["releves"],
            ["releves", "telecharger", "2026-10", "--sortie", sandbox.directory.appendingPathComponent("r.pdf").path],
            ["releves", "verifier", sandbox.directory.appendingPathComponent("r.pdf").path],
            ["releves", "telecharger", "2020-01", "--sortie", sandbox.directory.appendingPathComponent("x.pdf").path],
            ["paiements", "--mois", "3", "--format", "pdf", "--sortie", sandbox.directory.appendingPathComponent("p.pdf").path],
            ["recapitulatif", "2025", "--sortie", sandbox.directory.appendingPathComponent("a.pdf").path],
            ["recapitulatif", "2026", "--sortie", sandbox.directory.appendingPathComponent("a.pdf").path],
            ["verifier-document", sandbox.directory.appendingPathComponent("p.pdf").path],
            ["verifier-document", sandbox.directory.appendingPathComponent("r.pdf").path],
            ["duplicata", "2026-10"], ["duplicata", "2026-10"], ["duplicata", "2020-01"], ["duplicata", "--suivi"],
            ["admin", "courriers"], ["admin", "courriers", "lot"], ["admin", "courriers", "--tous"],
            ["admin", "audit", "--nombre", "60"], ["admin", "complementaires", "exporter"], ["admin", "reglages"],
            ["admin", "maintenance"], ["admin", "verifier"], ["nir", "1701275112034"], ["nir", "285032A004117"],
            ["nir", "1 55 35 99 350 012 53"], ["nir", "123"],
            ["importer", Fixtures.packageRoot.appendingPathComponent("SampleData/echantillon.jsonl").path],
            ["importer", sandbox.directory.appendingPathComponent("absent.jsonl").path], ["deconnexion"], ["deconnexion"],
            ["paiements"],
        ] {
            try run(arguments)
        }
        var problems: [String] = []
        for (command, result) in outputs {
            for problem in FrenchGrammar.problems(in: result.stdout + "\n" + result.stderr) {
                problems.append("releve \(command) : \(problem)")
            }
            if let problem = FrenchGrammar.capitalProblem(result.stderr) { problems.append("releve \(command) : \(problem)") }
        }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        // The sweep met what it is meant to check: counts of 1 and 2, and Anna's name.
        let all = outputs.map { $0.result.stdout + $0.result.stderr }.joined(separator: "\n")
        #expect(all.contains("(1 paiement)") && all.contains(" paiements)") && all.contains("Assurée : Anna"))
    }
}
