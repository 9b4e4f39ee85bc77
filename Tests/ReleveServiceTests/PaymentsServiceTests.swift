import Foundation
import ReleveDomain
import ReleveStore
import ReleveTestSupport
import Testing

@testable import ReleveService

/// The payments view against hand-computed figures.
@Suite("Payments view")
struct PaymentsServiceTests {
    static let today = Fixtures.date("2026-11-28")

    static func act(
        _ care: String, rank: Int = 1, code: String = "G", label: String = "Consultation généraliste", base: Int64,
        rate: Int = 70, quantity: Int = 1, professional: String? = "Dr Claire Bernard"
    ) -> PaymentLine {
        try! PaymentLine(
            careDate: Fixtures.date(care), beneficiaryRank: rank, kind: .act, actCode: code, label: label,
            professional: professional,
            quantity: quantity, paid: Cents(base), base: Cents(base), rate: Rate(percent: rate),
            reimbursed: Cents(base).applying(Rate(percent: rate)), transmittedToComplementaire: true)
    }

    static func deduction(_ kind: PaymentLine.Kind, _ care: String, rank: Int = 1, amount: Int64, label: String) -> PaymentLine {
        try! PaymentLine(
            careDate: Fixtures.date(care), beneficiaryRank: rank, kind: kind, actCode: kind == .flatParticipation ? "PF" : "FR",
            label: label, professional: nil, quantity: 1, paid: .zero, base: .zero, rate: .zero, reimbursed: Cents(-amount),
            transmittedToComplementaire: false)
    }

    static func payment(_ reference: String, _ date: String, payee: Payment.Payee = .insured, _ lines: [PaymentLine]) -> Payment {
        try! Payment(
            reference: reference, nir: Fixtures.nir("1701275112034"), date: Fixtures.date(date), payee: payee, kind: .care,
            lines: lines)
    }

    static let payments: [Payment] = [
        // 1: GP for Jean, 30 € at 70 % = 21,00, PF 2 € → 19,00.
        payment(
            "P1", "2026-10-06",
            [
                act("2026-10-02", base: 3000),
                deduction(.flatParticipation, "2026-10-02", amount: 200, label: "Participation forfaitaire"),
            ]),
        // 2: two boxes at 10 € under tiers payant, 65 % = 13,00; the franchise is recovered later.
        payment(
            "P2", "2026-09-10", payee: .professional("Pharmacie du Centre"),
            [
                act(
                    "2026-09-08", code: "PH7", label: "Pharmacie (vignette blanche)", base: 2000, rate: 65, quantity: 2,
                    professional: nil)
            ]),
        // 3: GP for Léa (under 18: no PF) 21,00, minus Jean's deferred franchise 2,00 → 19,00.
        payment(
            "P3", "2026-11-05",
            [
                act("2026-11-03", rank: 2, base: 3000),
                deduction(.deferredRecovery, "2026-09-08", amount: 200, label: "Franchise sur médicaments réglés le 10/09/2026"),
            ]),
        // 4: care of November 2025 paid late, in October 2026: 26,50 € at 70 % = 18,55, PF 2 € → 16,55.
        payment(
            "P4", "2026-10-20",
            [
                act("2025-11-02", base: 2650),
                deduction(.flatParticipation, "2025-11-02", amount: 200, label: "Participation forfaitaire"),
            ]),
        // 5: outside the 6-month window (paid in April 2026).
        payment(
            "P5", "2026-04-01",
            [
                act("2026-03-30", base: 3000),
                deduction(.flatParticipation, "2026-03-30", amount: 200, label: "Participation forfaitaire"),
            ]),
    ]

    func report(_ filter: PaymentsService.Filter = .init()) async throws -> PaymentsReport {
        let store = try await SQLiteStore.inMemory()
        _ = try await store.importFile(ImportLedgerEntry(sha256: "t", fileName: "t", importedAt: "2026-11-28T00:00:00Z")) {
            session in
            _ = try await session.upsert(Fixtures.person())
            for payment in Self.payments { _ = try await session.insert(payment) }
        }
        return try await PaymentsService(store: store).report(for: Fixtures.person(), filter: filter, today: Self.today)
    }

    @Test("the last 6 months: totals, deductions, remaining cost, per month; a late payment shows at its payment date")
    func totals() async throws {
        let r = try await report()
        #expect(r.from == Fixtures.date("2026-06-01") && r.to == Self.today)
        #expect(r.payments.map(\.reference) == ["P3", "P4", "P1", "P2"])
        #expect(r.totalReimbursed == Cents(6755))  // 19,00 + 16,55 + 19,00 + 13,00
        #expect(r.totalDeductions == Cents(-600))
        #expect(r.totalRemaining == Cents(3895))  // 11,00 + 9,95 + 11,00 + 7,00
        #expect(
            r.monthTotals == [
                .init(month: try Month(parsing: "2026-11"), payments: 1, reimbursed: Cents(1900)),
                .init(month: try Month(parsing: "2026-10"), payments: 2, reimbursed: Cents(3555)),
                .init(month: try Month(parsing: "2026-09"), payments: 1, reimbursed: Cents(1300)),
            ])
        let eight = try await report(.init(months: 8))
        #expect(eight.payments.count == 5)
    }

    @Test("filters: beneficiary by first name or rank, nature, dates; nothing matching is an empty report")
    func filters() async throws {
        let lea = try await report(.init(beneficiary: "LEA"))
        #expect(lea.payments.map(\.reference) == ["P3"])
        #expect(lea.totalReimbursed == Cents(2100))  // Jean's recovered franchise is not Léa's
        #expect(try await report(.init(beneficiary: "2")).payments.count == 1)
        let pharmacy = try await report(.init(nature: .pharmacy))
        #expect(pharmacy.payments.map(\.reference) == ["P2"] && pharmacy.totalReimbursed == Cents(1300))
        #expect(try await report(.init(nature: .specialist)).payments.isEmpty)
        let october = try await report(.init(from: Fixtures.date("2026-10-01"), to: Fixtures.date("2026-10-31")))
        #expect(october.payments.map(\.reference) == ["P4", "P1"])
        await #expect(throws: ServiceError.self) { _ = try await report(.init(beneficiary: "Zoé")) }
        await #expect(throws: ServiceError.self) { _ = try await report(.init(months: 28)) }
        await #expect(throws: ServiceError.self) {
            _ = try await report(.init(from: Fixtures.date("2026-10-31"), to: Fixtures.date("2026-10-01")))
        }
    }

    @Test("JSON: the documented schema, amounts in integer cents")
    func json() async throws {
        let text = PaymentsExport.json(try await report(), detailed: true)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(Set(root.keys) == ["version", "vue", "assure", "periode", "filtre_actif", "paiements", "mois", "totaux"])
        #expect(root["vue"] as? String == "detaillee")
        let totals = try #require(root["totaux"] as? [String: Any])
        #expect(totals["rembourse"] as? Int == 6755)
        let first = try #require((root["paiements"] as? [[String: Any]])?.first)
        #expect(first["reference"] as? String == "P3")
        #expect(first["beneficiaires"] as? [String] == ["Léa", "Jean"])
        let lines = try #require(first["lignes"] as? [[String: Any]])
        #expect(lines.count == 2)
        #expect(lines[1]["type"] as? String == "recuperation_differee" && lines[1]["rembourse"] as? Int == -200)
        let synthetic = try JSONSerialization.jsonObject(
            with: Data(PaymentsExport.json(try await report(), detailed: false).utf8))
        #expect(((synthetic as? [String: Any])?["paiements"] as? [[String: Any]])?.first?["lignes"] == nil)
    }

    /// The export's form as Foundation's `JSONEncoder` wrote it before `JSONValue` replaced it
    /// (keys converted to snake_case, sorted, pretty): the oracle the hand-written JSON must match.
    struct EncodedReport: Encodable {
        struct Assure: Encodable { let nir, nom: String }
        struct Periode: Encodable { let du, au: String }
        struct Line: Encodable {
            let dateSoins: String
            let rangBeneficiaire: Int
            let beneficiaire, type, nature, code, libelle: String
            let professionnel: String?
            let quantite: Int
            let montantPaye, base: Int64
            let tauxPb: Int
            let rembourse, resteACharge: Int64
            let transmisComplementaire: Bool
        }
        struct PaymentEntry: Encodable {
            let reference, date, destinataire: String
            let destinataireNom: String?
            let beneficiaires: [String]
            let nombreActes: Int
            let montantPaye, base, rembourseActes, deductions, rembourse, resteACharge: Int64
            let transmisComplementaire: Bool
            let lignes: [Line]?
        }
        struct MonthEntry: Encodable {
            let mois: String
            let paiements: Int
            let rembourse: Int64
        }
        struct Totals: Encodable { let montantPaye, base, rembourse, deductions, resteACharge: Int64 }
        let version: Int
        let vue: String
        let assure: Assure
        let periode: Periode
        let filtreActif: Bool
        let paiements: [PaymentEntry]
        let mois: [MonthEntry]
        let totaux: Totals

        init(_ report: PaymentsReport, detailed: Bool) {
            version = 1
            vue = detailed ? "detaillee" : "synthetique"
            assure = .init(nir: report.person.nir.formatted, nom: report.person.fullName)
            periode = .init(du: report.from.description, au: report.to.description)
            filtreActif = report.filtered
            paiements = report.payments.map { p in
                PaymentEntry(
                    reference: p.reference, date: p.date.description,
                    destinataire: { if case .insured = p.payee { "assure" } else { "professionnel" } }(),
                    destinataireNom: { if case .professional(let name) = p.payee { name } else { nil } }(),
                    beneficiaires: p.beneficiaryRanks.map(report.beneficiaryName), nombreActes: p.actCount,
                    montantPaye: p.totalPaid.rawValue, base: p.totalBase.rawValue,
                    rembourseActes: p.totalReimbursedGross.rawValue,
                    deductions: p.totalDeductions.rawValue, rembourse: p.totalReimbursed.rawValue,
                    resteACharge: p.remainingCost.rawValue, transmisComplementaire: p.transmittedToComplementaire,
                    lignes: detailed
                        ? p.lines.map { l in
                            Line(
                                dateSoins: l.careDate.description, rangBeneficiaire: l.beneficiaryRank,
                                beneficiaire: report.beneficiaryName(l.beneficiaryRank), type: l.kind.rawValue,
                                nature: PaymentsReport.natureLabel(of: l), code: l.actCode, libelle: l.label,
                                professionnel: l.professional, quantite: l.quantity, montantPaye: l.paid.rawValue,
                                base: l.base.rawValue, tauxPb: l.rate.basisPoints, rembourse: l.reimbursed.rawValue,
                                resteACharge: l.remainingCost.rawValue, transmisComplementaire: l.transmittedToComplementaire)
                        } : nil)
            }
            mois = report.monthTotals.map {
                .init(mois: $0.month.description, paiements: $0.payments, rembourse: $0.reimbursed.rawValue)
            }
            totaux = .init(
                montantPaye: report.totalPaid.rawValue, base: report.totalBase.rawValue,
                rembourse: report.totalReimbursed.rawValue,
                deductions: report.totalDeductions.rawValue, resteACharge: report.totalRemaining.rawValue)
        }

        static func text(_ report: PaymentsReport, detailed: Bool) throws -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            return String(decoding: try encoder.encode(EncodedReport(report, detailed: detailed)), as: UTF8.self) + "\n"
        }
    }

    @Test("JSON: byte for byte what JSONEncoder wrote, odd text and empty periods included")
    func jsonMatchesTheEncoder() async throws {
        let odd = "Acte \"spécial\" \\ 1/2 🦷 <b>"
        let unusual = PaymentsReport(
            person: Fixtures.person(), from: Fixtures.date("2026-05-01"), to: Fixtures.date("2026-10-31"),
            payments: [
                Self.payment(
                    "P/9", "2026-10-20", payee: .professional(odd),
                    [
                        Self.act("2026-10-02", label: odd, base: 2300, professional: nil),
                        Self.act("2026-10-03", rank: 2, base: 100),
                    ])
            ], filtered: true)
        let empty = PaymentsReport(
            person: Fixtures.person(), from: Fixtures.date("2026-05-01"), to: Fixtures.date("2026-10-31"), payments: [],
            filtered: false)
        for report in [try await report(), unusual, empty] {
            for detailed in [true, false] {
                let written = PaymentsExport.json(report, detailed: detailed)
                #expect(written == (try EncodedReport.text(report, detailed: detailed)))
            }
        }
        #expect(PaymentsExport.json(unusual, detailed: true).contains(#"\"spécial\" \\ 1/2 🦷"#))
        // Text reaches JSON from places that do allow control characters (log fields, FHIR).
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let control = "a\u{8}b\u{c}c\u{1}\u{1f}\t\r\n\u{7f}é/\\\""
        #expect(JSONValue.quote(control) == String(decoding: try encoder.encode(control), as: UTF8.self))
    }

    @Test("CSV: formula payloads neutralised in text columns only; amounts stay numeric; lossless round trip")
    func csvInjection() async throws {
        let payloads = ["=HYPERLINK(\"http://x\")", "+33 6 00", "-2+3", "@SUM(A1)", "\tTAB", "=1+1,\"quoted\""]
        #expect(payloads.allSatisfy { PaymentsExport.text($0).hasPrefix("'") || PaymentsExport.text($0).hasPrefix("\"'") })
        let store = try await SQLiteStore.inMemory()
        var built: [PaymentLine] = []
        for (index, payload) in payloads.enumerated() where !payload.contains("\t") {
            built.append(Self.act("2026-10-0\(index + 1)", label: payload, base: 1000, professional: payload))
        }
        built.append(Self.deduction(.flatParticipation, "2026-10-01", amount: 200, label: "Participation forfaitaire"))
        let lines = built
        _ = try await store.importFile(ImportLedgerEntry(sha256: "t", fileName: "t", importedAt: "x")) { session in
            _ = try await session.upsert(Fixtures.person())
            _ = try await session.insert(Self.payment("R-1", "2026-10-20", lines))
        }
        let r = try await PaymentsService(store: store).report(for: Fixtures.person(), filter: .init(), today: Self.today)
        let csv = PaymentsExport.csv(r, detailed: true)
        var parsed: [[String]] = []
        for line in csv.split(separator: "\r\n") {
            var row = CSVRow()
            let failure = Array(line.utf8).withUnsafeBufferPointer { row.parse($0) }
            #expect(failure == nil)
            parsed.append((0..<row.count).map { row.rawText($0) })
        }
        #expect(parsed[0] == PaymentsExport.detailedHeader)
        for row in parsed.dropFirst() {
            #expect(row.count == PaymentsExport.detailedHeader.count)
            for (index, cell) in row.enumerated()
            where ["reference", "libelle", "professionnel"].contains(PaymentsExport.detailedHeader[index]) {
                #expect(!["=", "+", "-", "@"].contains(cell.first.map(String.init) ?? ""), "\(cell)")
            }
            // Amounts are plain numbers, negative ones included.
            #expect(Double(row[13]) != nil && Double(row[14]) != nil)
        }
        #expect(parsed.last?[13] == "-2.00")
        // Round trip: removing the neutralising quote gives back the original text.
        #expect(parsed[1][7] == "'" + payloads[0])
        #expect(parsed.contains { $0[7] == "'=1+1,\"quoted\"" })
    }
}
