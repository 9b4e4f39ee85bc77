import ArgumentParser
import Foundation
import Logging
import ReleveDomain
import ReleveService

extension Releve {
    struct Importer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "importer",
            abstract: "Importe des flux d'assurés et de paiements (JSON Lines ou CSV).",
            discussion: """
                Chaque fichier est importé en entier ou pas du tout : la moindre erreur est signalée \
                avec le fichier, la ligne et la raison, et le fichier n'est pas importé. Un fichier \
                déjà importé (même contenu) est ignoré. Les fichiers sont traités dans l'ordre donné \
                (les assurés avant leurs paiements) ; le traitement s'arrête au premier fichier refusé. \
                Format : docs/feed-format.md.
                """)

        @OptionGroup var store: StoreOptions

        @Argument(help: ArgumentHelp("Fichiers à importer (.jsonl ou .csv).", valueName: "FICHIER"))
        var files: [String]

        func validate() throws {
            guard !files.isEmpty else { throw ValidationError("Indiquez au moins un fichier à importer.") }
        }

        func run() async throws {
            var settings = store.settings()
            settings.checkOnOpen = true
            let services = try await CLI.run { try await ReleveServices.build(settings) }
            defer { services.close() }
            for (position, file) in files.enumerated() {
                do {
                    try await Self.importOne(file, into: services.imports)
                } catch {
                    let serviceError = ServiceError.wrap(error)
                    CLI.printError(serviceError.message)
                    let rest = files.dropFirst(position + 1)
                    if !rest.isEmpty {
                        CLI.printError("Fichiers non traités (à relancer après correction) : \(rest.joined(separator: ", "))")
                    }
                    throw ExitCode(serviceError.exitCode)
                }
            }
        }

        static func importOne(_ file: String, into importer: FeedImporter) async throws {
            let display = ProgressDisplay(label: URL(fileURLWithPath: file).lastPathComponent)
            let report: ImportReport
            do {
                report = try await importer.importFile(at: file, now: Date()) { progress in
                    display.update(
                        fraction: progress.totalBytes > 0 ? Double(progress.bytesRead) / Double(progress.totalBytes) : nil,
                        count: progress.records, unit: "enregistrement")
                }
                display.finish()
            } catch {
                display.finish()
                throw error
            }
            print(summary(report))
            let logger = Logger(label: "releve-import")
            var metadata: Logger.Metadata = [
                "file": .string(URL(fileURLWithPath: file).lastPathComponent), "lines": .string(String(report.records)),
                "duration_ms": .string(String(Int(report.seconds * 1000))),
            ]
            if report.seconds > 0 { metadata["lines_per_second"] = .string(String(Int(Double(report.records) / report.seconds))) }
            if case .alreadyImported = report.outcome { metadata["already_imported"] = "true" }
            logger.info("import terminé", metadata: metadata)
            Observability.writeMetricsFile(logger: logger)
        }

        static func summary(_ report: ImportReport) -> String {
            switch report.outcome {
            case .alreadyImported(let entry):
                return
                    "\(report.file) : déjà importé le \(entry.importedAt) (même contenu, SHA-256 \(entry.sha256.prefix(12))…) ; rien à faire."
            case .imported(let counts):
                var text = "\(report.file) : importé en \(CLI.duration(report.seconds)) — "
                text +=
                    "\(French.count(counts.personsInserted, "assuré ajouté", "assurés ajoutés")), \(French.number(counts.personsUpdated)) mis à jour, "
                text +=
                    "\(French.count(counts.paymentsInserted, "paiement")) et \(French.count(counts.linesInserted, "ligne")) \(French.plural(counts.paymentsInserted + counts.linesInserted, "ajouté", "ajoutés"))"
                if counts.paymentsAlreadyPresent > 0 {
                    text +=
                        ", \(French.count(counts.paymentsAlreadyPresent, "paiement déjà présent", "paiements déjà présents")) à l'identique"
                }
                if report.seconds > 0 && counts.linesInserted > 0 {
                    text += " (\(CLI.number(Int(Double(counts.linesInserted) / report.seconds))) lignes/s)"
                }
                return text + "."
            }
        }
    }
}
