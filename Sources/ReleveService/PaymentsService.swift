import Foundation
import ReleveDomain
import ReleveStore

/// The payments view shared by the CLI and the web: what was reimbursed, for what, and what is
/// left to pay, over a window of months, in synthetic (one row per payment) or detailed (one
/// row per act or deduction) form.
public struct PaymentsService: Sendable {
    let store: any Store
    /// Where the payments are read: the store, or a read replica's router.
    let reader: any PaymentReader
    /// Whether `reader` is the store (no replica): the payments may then be read with the session.
    let readsStore: Bool

    /// The seed's window; today's service shows up to 27 months.
    public static let defaultMonths = 6
    public static let maxMonths = 27

    public init(store: any Store, reader: (any PaymentReader)? = nil) {
        self.store = store
        self.reader = reader ?? store
        readsStore = reader == nil
    }

    public struct Filter: Sendable {
        public var from: CivilDate?
        public var to: CivilDate?
        /// A first name (case and accents ignored) or a rank.
        public var beneficiary: String?
        public var nature: CareNature?
        public var months: Int

        public init(
            from: CivilDate? = nil, to: CivilDate? = nil, beneficiary: String? = nil, nature: CareNature? = nil, months: Int = 6
        ) {
            self.from = from
            self.to = to
            self.beneficiary = beneficiary
            self.nature = nature
            self.months = months
        }
    }

    /// A payment reference asked for by `user` that is not theirs: when it is someone else's,
    /// the attempt is audited as `authz_fail` (SECURITY.md goal 14). The answer to the user is
    /// the same "not found" either way.
    public func auditForeignReference(_ reference: String, user: AccountService.Authenticated, channel: String, now: Date)
        async throws
    {
        guard (try? Payment.validateReference(reference)) != nil,
            let owner = try await store.paymentOwner(reference: reference), owner != user.person.id
        else { return }
        try await store.appendAudit(
            AuditEvent(
                at: Int64(now.timeIntervalSince1970), kind: "authz_fail", outcome: "foreign_payment",
                subject: user.person.person.nir.masked, channel: channel, detail: reference))
    }

    /// The dates a filter covers, from `today`: the dates the payments are read between.
    public struct Window: Sendable, Equatable {
        public let from: CivilDate
        public let to: CivilDate

        /// Payments read for a window (with the session, `AccountService.authenticate`).
        public struct Read: Sendable {
            public let window: Window
            public let nir: NIR
            public let payments: [StoredPayment]
        }
    }

    /// The window `filter` covers, or a refusal naming the field.
    public func window(_ filter: Filter, today: CivilDate) throws -> Window {
        guard (1...Self.maxMonths).contains(filter.months) else {
            throw ServiceError.invalidValue(.invalid(field: "mois", reason: "de 1 à \(Self.maxMonths) mois"))
        }
        let windowStart = today.calendarMonth.adding(months: -(filter.months - 1)).firstDay
        let earliest = today.calendarMonth.adding(months: -(Self.maxMonths - 1)).firstDay
        if let wanted = filter.from, wanted < earliest {
            throw ServiceError.invalidValue(
                .invalid(
                    field: "date de début",
                    reason:
                        "les paiements sont consultables sur \(Self.maxMonths) mois : pas avant le \(earliest.formattedLong) (reçu : \(wanted.formattedLong))"
                ))
        }
        let from = filter.from ?? windowStart
        let to = filter.to ?? today
        guard from <= to else {
            throw ServiceError.invalidValue(
                .invalid(field: "période", reason: "la date de début (--du) est après la date de fin (--au)"))
        }
        return Window(from: from, to: to)
    }

    /// The window to read with the session, when the payments come from the store itself and
    /// the filter is valid (an invalid one is refused by `report`, after authentication).
    public func prefetchWindow(_ filter: Filter, today: CivilDate) -> Window? {
        readsStore ? try? window(filter, today: today) : nil
    }

    /// The payments of `person` selected by `filter`, newest first; `today` fixes the window.
    /// Payments already read for that window (`read`, with the session) are not read again.
    public func report(for person: InsuredPerson, filter: Filter, today: CivilDate, read: Window.Read? = nil)
        async throws -> PaymentsReport
    {
        let window = try window(filter, today: today)
        let (from, to) = (window.from, window.to)
        var rank: Int?
        if let wanted = filter.beneficiary {
            rank = Self.rank(of: wanted, in: person)
            guard rank != nil else {
                let names = person.beneficiaries.map { "\($0.firstName) (\($0.rank))" }.joined(separator: ", ")
                throw ServiceError.invalidValue(
                    .invalid(field: "bénéficiaire", reason: "« \(wanted.prefix(40)) » inconnu ; bénéficiaires : \(names)"))
            }
        }
        let stored: [StoredPayment]
        if let read, read.window == window, read.nir == person.nir {
            stored = read.payments
        } else {
            stored = try await reader.payments(of: person.nir, from: from, to: to)
        }
        var payments: [Payment] = []
        for entry in stored {
            if let selected = Self.select(entry.payment, rank: rank, nature: filter.nature) { payments.append(selected) }
        }
        return PaymentsReport(
            person: person, from: from, to: to, payments: payments, filtered: rank != nil || filter.nature != nil)
    }

    static func rank(of wanted: String, in person: InsuredPerson) -> Int? {
        if let number = Int(wanted), person.beneficiary(rank: number) != nil { return number }
        let fold = { (s: String) in
            s.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: Locale(identifier: "fr_FR"))
        }
        return person.beneficiaries.first { fold($0.firstName) == fold(wanted.trimmingCharacters(in: .whitespaces)) }?.rank
    }

    /// The payment restricted to the lines that match: acts of that beneficiary and nature, and
    /// the deductions attached to them (same beneficiary and date of care). Nil when none matches.
    static func select(_ payment: Payment, rank: Int?, nature: CareNature?) -> Payment? {
        guard rank != nil || nature != nil else { return payment }
        let table = TariffTable.standard
        let acts = payment.lines.filter { line in
            line.kind == .act && (rank == nil || line.beneficiaryRank == rank)
                && (nature == nil || table.nature(ofCode: line.actCode) == nature)
        }
        guard !acts.isEmpty else { return nil }
        let lines = payment.lines.filter { line in
            if line.kind == .act { return acts.contains(line) }
            if line.kind == .deferredRecovery { return nature == nil && (rank == nil || line.beneficiaryRank == rank) }
            return acts.contains { $0.careDate == line.careDate && $0.beneficiaryRank == line.beneficiaryRank }
        }
        return try? Payment(
            reference: payment.reference, nir: payment.nir, date: payment.date, payee: payment.payee, kind: payment.kind,
            lines: lines)
    }
}

/// The selected payments and their totals.
public struct PaymentsReport: Sendable {
    public let person: InsuredPerson
    public let from: CivilDate
    public let to: CivilDate
    public let payments: [Payment]
    /// Whether a beneficiary or nature filter was applied (totals are then partial).
    public let filtered: Bool

    public struct MonthTotal: Sendable, Equatable {
        public let month: Month
        public let payments: Int
        public let reimbursed: Cents
    }

    /// Per calendar month of payment, newest first.
    public var monthTotals: [MonthTotal] {
        var order: [Month] = []
        var totals: [Month: (Int, Cents)] = [:]
        for payment in payments {
            let month = payment.date.calendarMonth
            if totals[month] == nil { order.append(month) }
            let current = totals[month] ?? (0, .zero)
            totals[month] = (current.0 + 1, current.1 + payment.totalReimbursed)
        }
        return order.map { MonthTotal(month: $0, payments: totals[$0]!.0, reimbursed: totals[$0]!.1) }
    }

    /// Every month of the period, oldest first, those without a payment at zero (the chart of
    /// the pages, as the PDF's).
    public var everyMonthTotal: [MonthTotal] {
        let known = Dictionary(monthTotals.map { ($0.month, $0) }, uniquingKeysWith: { a, _ in a })
        var months: [MonthTotal] = []
        var month = from.calendarMonth
        while month <= to.calendarMonth {
            months.append(known[month] ?? MonthTotal(month: month, payments: 0, reimbursed: .zero))
            month = month.adding(months: 1)
        }
        return months
    }

    public var totalPaid: Cents { payments.reduce(.zero) { $0 + $1.totalPaid } }
    public var totalBase: Cents { payments.reduce(.zero) { $0 + $1.totalBase } }
    public var totalReimbursed: Cents { payments.reduce(.zero) { $0 + $1.totalReimbursed } }
    public var totalDeductions: Cents { payments.reduce(.zero) { $0 + $1.totalDeductions } }
    /// Paid to professionals minus reimbursed for the acts, plus deductions: what is left for the
    /// assuré or the complémentaire.
    public var totalRemaining: Cents { payments.reduce(.zero) { $0 + $1.remainingCost } }

    public func beneficiaryName(_ rank: Int) -> String {
        person.beneficiary(rank: rank)?.firstName ?? "bénéficiaire \(rank)"
    }

    public static func natureLabel(of line: PaymentLine) -> String {
        switch line.kind {
        case .act: TariffTable.standard.nature(ofCode: line.actCode)?.french ?? "autre"
        default: line.kind.french
        }
    }
}
