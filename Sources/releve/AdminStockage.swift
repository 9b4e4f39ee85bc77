import ArgumentParser
import Foundation
import ReleveDomain
import ReleveService

extension Releve.Admin {
    struct Stockage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stockage",
            abstract:
                "Place prise par la base, son journal, les archives (par mois), les lots et les exports ; croissance par mois.",
            discussion: """
                Ne fait que lire. La croissance est la moyenne des trois derniers mois : pour les archives, la taille \
                des dossiers AAAA-MM ; pour la base, une estimation (sa taille au prorata des paiements du mois). \
                Avec --format json, les tailles sont en octets.
                """)

        @OptionGroup var options: OperatorOptions
        @OptionGroup var output: FormatOptions

        @Option(
            name: .customLong("lots"),
            help: ArgumentHelp("Dossier des lots d'impression ; par défaut BASE.lots.", valueName: "DOSSIER"))
        var printBatches: String?

        @Option(
            name: .customLong("exports"),
            help: ArgumentHelp("Dossier des exports ; par défaut BASE.exports.", valueName: "DOSSIER"))
        var exports: String?

        func run() async throws {
            let report = try await options.withServices { services in
                try await services.operations.storage(
                    printBatches: printBatches ?? services.settings.printBatches,
                    exports: exports ?? services.settings.insurerExports)
            }
            if output.json { return try FormatOptions.print(JSON(report)) }
            print(Self.describe(report))
        }

        static func describe(_ report: StorageReport) -> String {
            var lines = ["Moteur : \(report.engine)"]
            for part in report.parts {
                lines.append(
                    "  \(French.sentence(part.name)) : \(part.bytes.map(French.bytes) ?? "inconnu (droits insuffisants)")")
            }
            lines.append(
                "Archives (\(report.archive.path)) : \(French.bytes(report.archive.bytes)), \(French.count(report.archive.files, "fichier"))"
            )
            for month in report.archiveMonths {
                lines.append(
                    "  \(month.month.formatted) : \(French.count(month.statements, "relevé")), \(French.bytes(month.bytes))")
            }
            lines.append(
                "Lots d'impression (\(report.printBatches.path)) : \(French.bytes(report.printBatches.bytes)), \(French.count(report.printBatches.files, "fichier"))"
            )
            lines.append(
                "Exports (\(report.exports.path)) : \(French.bytes(report.exports.bytes)), \(French.count(report.exports.files, "fichier"))"
            )
            if report.growthMonths.isEmpty && report.baseGrowth == nil {
                lines.append("Croissance par mois : pas encore de mois à mesurer.")
            } else {
                var growth = "Croissance par mois"
                if let first = report.growthMonths.first, let last = report.growthMonths.last {
                    growth += " (moyenne \(first == last ? first.withDe : "\(first.withDe) à \(last.formatted)"))"
                }
                growth += " : archives \(French.bytes(report.archiveGrowth))"
                if let base = report.baseGrowth { growth += ", base ≈ \(French.bytes(base)) (estimation)" }
                lines.append(growth + ".")
            }
            return lines.joined(separator: "\n")
        }

        struct JSON: Encodable {
            struct Part: Encodable {
                var nom: String
                var octets: Int64?
            }
            struct Folder: Encodable {
                var chemin: String
                var octets: Int64
                var fichiers: Int
            }
            struct Month: Encodable {
                var mois: String
                var releves: Int
                var octets: Int64
            }
            struct Growth: Encodable {
                var mois: [String]
                var archivesOctets: Int64
                var baseOctetsEstimation: Int64?
            }

            var moteur: String
            var base: [Part]
            var archives: Folder
            var archivesParMois: [Month]
            var lots: Folder
            var exports: Folder
            var croissanceParMois: Growth

            init(_ report: StorageReport) {
                moteur = report.engine
                base = report.parts.map { Part(nom: $0.name, octets: $0.bytes) }
                archives = Folder(chemin: report.archive.path, octets: report.archive.bytes, fichiers: report.archive.files)
                archivesParMois = report.archiveMonths.map {
                    Month(mois: $0.month.description, releves: $0.statements, octets: $0.bytes)
                }
                lots = Folder(
                    chemin: report.printBatches.path, octets: report.printBatches.bytes, fichiers: report.printBatches.files)
                exports = Folder(chemin: report.exports.path, octets: report.exports.bytes, fichiers: report.exports.files)
                croissanceParMois = Growth(
                    mois: report.growthMonths.map(\.description), archivesOctets: report.archiveGrowth,
                    baseOctetsEstimation: report.baseGrowth)
            }
        }
    }
}
