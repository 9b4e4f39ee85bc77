import ArgumentParser
import Foundation
import ReleveDomain
import ReleveService

extension CareNature: ExpressibleByArgument {}

extension Releve {
    struct Paiements: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "paiements",
            abstract: "Vos paiements des derniers mois : une ligne par paiement, ou le détail par acte (--detail).",
            discussion: """
                Par défaut les 6 derniers mois (--mois jusqu'à 27). Un paiement arrivé en retard apparaît à sa \
                date de paiement, même pour des soins anciens. Formats : table (80 colonnes), json (montants en \
                centimes, docs/payments-export.md), csv (RFC 4180), fhir (un Bundle FHIR R4 \
                d'ExplanationOfBenefit, docs/fhir.md), pdf (avec --sortie : le document, vérifiable par \
                qui le reçoit). Natures : consultation, specialiste, \
                teleconsultation, pharmacie, acte_technique, soins_infirmiers, indemnites_journalieres.
                """)

        @OptionGroup var options: AssureOptions

        @Flag(name: .customLong("detail"), help: "Une ligne par acte : base, taux, remboursé, déductions, reste à charge.")
        var detailed = false

        @Option(name: .customLong("du"), help: ArgumentHelp("Premier jour (date de paiement).", valueName: "JJ/MM/AAAA"))
        var from: CivilDate?

        @Option(name: .customLong("au"), help: ArgumentHelp("Dernier jour (date de paiement).", valueName: "JJ/MM/AAAA"))
        var to: CivilDate?

        @Option(name: .customLong("mois"), help: "Nombre de mois affichés (1 à 27).")
        var months = PaymentsService.defaultMonths

        @Option(name: .customLong("beneficiaire"), help: ArgumentHelp("Prénom ou rang du bénéficiaire.", valueName: "PRENOM"))
        var beneficiary: String?

        @Option(name: .customLong("nature"), help: "Nature des soins.")
        var nature: CareNature?

        @Option(name: .customLong("format"), help: "table, json, csv, pdf ou fhir.")
        var format = "table"

        @Option(name: .customLong("sortie"), help: ArgumentHelp("Fichier à écrire (format pdf).", valueName: "FICHIER"))
        var output: String?

        func validate() throws {
            guard ["table", "json", "csv", "pdf", "fhir"].contains(format) else {
                throw ValidationError("--format : table, json, csv, pdf ou fhir.")
            }
            guard (format == "pdf") == (output != nil) else {
                throw ValidationError("--format pdf s'utilise avec --sortie FICHIER (et --sortie seulement avec pdf).")
            }
            guard (1...PaymentsService.maxMonths).contains(months) else { throw ValidationError("--mois : de 1 à 27.") }
        }

        func run() async throws {
            try await options.withUser { services, user in
                let filter = PaymentsService.Filter(
                    from: from, to: to, beneficiary: beneficiary, nature: nature, months: months)
                if format == "pdf", let output {
                    let document = try await services.documents.period(
                        user, filter: filter, detailed: detailed, today: CivilDate.today, now: Date())
                    try Documents.write(
                        document, to: output,
                        what: "Relevé des paiements du \(document.record.from.formatted) au \(document.record.to.formatted)")
                    return
                }
                let report = try await services.payments.report(
                    for: user.person.person, filter: filter, today: CivilDate.today)
                switch format {
                case "json": print(PaymentsExport.json(report, detailed: detailed), terminator: "")
                case "csv": print(PaymentsExport.csv(report, detailed: detailed), terminator: "")
                case "fhir":
                    print(FHIRExport.bundle(report, baseURL: services.settings.publicURL), terminator: "")
                default: print(PaymentsTable.render(report, detailed: detailed), terminator: "")
                }
            }
        }
    }

    struct MedecinTraitant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "medecin-traitant",
            abstract: "Votre médecin traitant déclaré, et ce que cela change pour vos remboursements.")

        @OptionGroup var options: AssureOptions

        func run() async throws {
            try await options.withUser { _, user in
                let person = user.person.person
                if let doctor = person.doctor {
                    print("Médecin traitant : \(doctor.name), déclaré le \(doctor.since.formatted).")
                    print(TariffTable.standard.inCarePathwayNote(on: .today))
                } else {
                    print("Aucun médecin traitant déclaré.")
                    print(TariffTable.standard.outsideCarePathwayNote(on: .today))
                }
                if person.longTermCondition {
                    print(
                        "Affection de longue durée (ALD) : les soins liés à votre affection sont remboursés à \(TariffTable.longTermConditionRate.formatted)."
                    )
                }
            }
        }
    }
}

extension CivilDate: ExpressibleByArgument {}

/// The 80-column terminal table of the payments view.
enum PaymentsTable {
    /// The terminal's width (`COLUMNS`, else the terminal itself), 80 when not a terminal;
    /// kept between 60 and 200.
    static let width: Int = {
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init) {
            return min(max(columns, 60), 200)
        }
        var size = winsize()
        if isatty(STDOUT_FILENO) == 1, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
            return min(max(Int(size.ws_col), 60), 200)
        }
        return 80
    }()

    /// From this width on, the detailed view puts each act on one line, amounts in columns.
    static let columnsFrom = 110

    /// The act columns of wide terminals: care date, beneficiary, nature (the rest of the
    /// width), paid, base, rate, reimbursed, remaining cost; two spaces apart, two in front.
    static var actWidths: [Int] {
        let others = [10, 12, 10, 10, 6, 10, 10]
        let nature = max(8, width - 2 - others.reduce(0, +) - 2 * others.count)
        return [10, 12, nature, 10, 10, 6, 10, 10]
    }

    static func render(_ report: PaymentsReport, detailed: Bool) -> String {
        var out = wrap(
            "Paiements de \(report.person.fullName) du \(report.from.formatted) au \(report.to.formatted)\(report.filtered ? " (filtrés)" : "")"
        )
        guard !report.payments.isEmpty else {
            return out + "Aucun paiement sur cette période\(report.filtered ? " pour ce filtre" : "").\n"
        }
        out += String(repeating: "─", count: width) + "\n"
        if detailed && width >= columnsFrom {
            out += actRow(["Soins du", "Bénéficiaire", "Nature", "Payé", "Base", "Taux", "Remboursé", "Reste"]) + "\n"
        }
        if !detailed {
            out +=
                row(
                    ["Date", "Bénéficiaires", "Payé à", "Actes", "Remboursé", "Compl."], [10, 16, 20, 5, 12, 6],
                    rightAligned: [3, 4]) + "\n"
        }
        var currentMonth: Month?
        let totals = Dictionary(uniqueKeysWithValues: report.monthTotals.map { ($0.month, $0) })
        for payment in report.payments {
            let month = payment.date.calendarMonth
            if month != currentMonth {
                if let currentMonth, let total = totals[currentMonth] { out += monthLine(total) }
                currentMonth = month
            }
            let payee = payment.payee.shortFrench
            let beneficiaries = payment.beneficiaryRanks.map(report.beneficiaryName).joined(separator: ", ")
            if detailed {
                out += wrap(
                    "\(payment.date.formatted) · \(clip(payee, 30)) · remboursé \(payment.totalReimbursed.formatted)"
                        + (payment.transmittedToComplementaire ? " · transmis à la complémentaire" : ""))
                for line in payment.lines {
                    out += detailLines(line, report)
                }
            } else {
                out +=
                    row(
                        [
                            payment.date.formatted, beneficiaries, payee, String(payment.actCount),
                            payment.totalReimbursed.formatted,
                            payment.transmittedToComplementaire ? "oui" : "non",
                        ], [10, 16, 20, 5, 12, 6], rightAligned: [3, 4]) + "\n"
            }
        }
        if let currentMonth, let total = totals[currentMonth] { out += monthLine(total) }
        out += String(repeating: "─", count: width) + "\n"
        out += wrap(
            "Total remboursé : \(report.totalReimbursed.formatted) (participations et franchises déduites : \((-report.totalDeductions).formatted))"
        )
        out += wrap("Reste à charge (pour vous ou votre complémentaire) : \(report.totalRemaining.formatted)")
        return out
    }

    /// One act per line, amounts right-aligned in columns (wide terminals); a nature longer
    /// than its column continues on the lines below, in the same column (never cut).
    static func actRow(_ cells: [String]) -> String {
        let widths = actWidths
        let natureWidth = widths[2]
        var chunks = [""]
        // Words longer than the column are broken into pieces that fit.
        let words = cells[2].split(separator: " ").flatMap { word in
            stride(from: 0, to: word.count, by: natureWidth).map {
                String(word.dropFirst($0).prefix(natureWidth))
            }
        }
        for word in words {
            let last = chunks[chunks.count - 1]
            if last.isEmpty || last.count + 1 + word.count <= natureWidth {
                chunks[chunks.count - 1] = last.isEmpty ? String(word) : last + " " + word
            } else {
                chunks.append(String(word))
            }
        }
        var first = cells
        first[2] = chunks[0]
        var lines = ["  " + row(first, widths, rightAligned: [3, 4, 5, 6, 7])]
        for chunk in chunks.dropFirst() {
            lines.append("  " + row(["", "", chunk], Array(widths.prefix(3))))
        }
        return lines.joined(separator: "\n")
    }

    static func detailLines(_ line: PaymentLine, _ report: PaymentsReport) -> String {
        let who = report.beneficiaryName(line.beneficiaryRank)
        if width >= columnsFrom {
            let act = line.kind == .act
            var nature = act ? "\(line.label) (\(line.actCode))" : "\(line.label) (déduction)"
            if line.quantity > 1 { nature += " ×\(line.quantity)" }
            return actRow([
                line.careDate.formatted, who, nature, act ? line.paid.formatted : "—", act ? line.base.formatted : "—",
                act ? line.rate.formatted : "—", line.reimbursed.formatted, line.remainingCost.formatted,
            ]) + "\n"
        }
        if line.kind != .act {
            let text = "  \(line.careDate.formatted)  \(clip(who, 12))  \(line.label)"
            return row([clip(text, 62), line.reimbursed.formatted], [65, 13], rightAligned: [1]) + "\n"
        }
        var first = "  \(line.careDate.formatted)  \(clip(who, 12))  \(line.label) (\(line.actCode))"
        if line.quantity > 1 { first += " ×\(line.quantity)" }
        if let professional = line.professional { first += " — \(professional)" }
        let second =
            "      payé \(line.paid.formatted) · base \(line.base.formatted) · \(line.rate.formatted) · remboursé \(line.reimbursed.formatted)"
        let third =
            "      reste \(line.remainingCost.formatted)\(line.transmittedToComplementaire ? " · transmis à la complémentaire" : "")"
        return wrap(first) + wrap(second) + wrap(third)
    }

    /// Breaks a line longer than the terminal at spaces, keeping its own indentation; the
    /// continuation lines are indented four more columns.
    static func wrap(_ text: String) -> String {
        let lead = String(text.prefix { $0 == " " })
        let indent = lead + "    "
        var result = ""
        var line = lead
        for word in text.dropFirst(lead.count).split(separator: " ", omittingEmptySubsequences: false) {
            let candidate = line == lead ? lead + word : line + " " + word
            if candidate.count > width && line != lead {
                result += line + "\n"
                line = indent + word
            } else {
                line = candidate
            }
        }
        return result + clip(line, width) + "\n"
    }

    static func monthLine(_ total: PaymentsReport.MonthTotal) -> String {
        let label = "  Total \(total.month.formatted) (\(French.count(total.payments, "paiement")))"
        if width >= columnsFrom {
            // Under the "Remboursé" column of the acts.
            let widths = actWidths
            let lead = 2 + widths.prefix(6).reduce(0, +) + 2 * 6
            return clip(label, lead - 2) + String(repeating: " ", count: max(2, lead - min(label.count, lead - 2)))
                + String(repeating: " ", count: max(0, widths[6] - total.reimbursed.formatted.count))
                + total.reimbursed.formatted + "\n"
        }
        return row([label, total.reimbursed.formatted], [66, 12], rightAligned: [1]) + "\n"
    }

    /// Columns separated by two spaces; text clipped with "…", amounts right-aligned.
    static func row(_ cells: [String], _ widths: [Int], rightAligned: Set<Int> = []) -> String {
        zip(cells, widths).enumerated().map { index, pair in
            let text = clip(pair.0, pair.1)
            let padding = String(repeating: " ", count: max(0, pair.1 - text.count))
            return rightAligned.contains(index) ? padding + text : text + padding
        }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
    }

    static func clip(_ text: String, _ width: Int) -> String {
        text.count <= width ? text : String(text.prefix(width - 1)) + "…"
    }
}
