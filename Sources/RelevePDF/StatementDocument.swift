/// What a statement PDF shows, as ready-formatted French strings: the renderer lays it out and
/// knows nothing of the domain rules (STYLE.md habit 8).
public struct StatementDocument: Sendable, Hashable {
    public struct Row: Sendable, Hashable {
        public var careDate: String
        public var beneficiary: String
        public var nature: String
        public var paid: String
        public var base: String
        public var rate: String
        public var reimbursed: String
        /// Deductions are printed in italics, with the amount only.
        public var isDeduction: Bool

        public init(
            careDate: String, beneficiary: String, nature: String, paid: String, base: String, rate: String, reimbursed: String,
            isDeduction: Bool
        ) {
            self.careDate = careDate
            self.beneficiary = beneficiary
            self.nature = nature
            self.paid = paid
            self.base = base
            self.rate = rate
            self.reimbursed = reimbursed
            self.isDeduction = isDeduction
        }
    }

    /// One payment: its header line, its transmission mention, its lines.
    public struct Section: Sendable, Hashable {
        public var header: String
        public var mention: String
        public var rows: [Row]

        public init(header: String, mention: String, rows: [Row]) {
            self.header = header
            self.mention = mention
            self.rows = rows
        }
    }

    public struct Bar: Sendable, Hashable {
        public var label: String
        public var valueText: String
        public var cents: Int64

        public init(label: String, valueText: String, cents: Int64) {
            self.label = label
            self.valueText = valueText
            self.cents = cents
        }
    }

    public var caisse: String
    public var title: String
    public var addressBlock: [String]
    /// Label and value pairs printed at the top left (assuré, NIR, reference, date).
    public var identity: [[String]]
    public var beneficiaries: String
    public var sections: [Section]
    public var emptyNote: String?
    public var totals: [[String]]
    public var explanation: String
    public var chartTitle: String
    public var chart: [Bar]
    public var reference: String
    public var fingerprint: String
    /// Fixed in the file's metadata so that the same data gives the same bytes.
    public var creationDate: String
    /// For a duplicata: the mark printed across the first page.
    public var mark: String?
    /// The table's seven column titles.
    public var columnTitles = StatementDocument.statementColumns
    /// The footer's sentence saying where anyone can check the document.
    public var verification: String?

    public static let statementColumns = [
        "Soins du", "Bénéficiaire", "Nature de la prestation", "Payé", "Base", "Taux", "Remboursé",
    ]

    public init(
        caisse: String, title: String, addressBlock: [String], identity: [[String]], beneficiaries: String, sections: [Section],
        emptyNote: String?, totals: [[String]], explanation: String, chartTitle: String, chart: [Bar], reference: String,
        fingerprint: String, creationDate: String, mark: String? = nil
    ) {
        self.caisse = caisse
        self.title = title
        self.addressBlock = addressBlock
        self.identity = identity
        self.beneficiaries = beneficiaries
        self.sections = sections
        self.emptyNote = emptyNote
        self.totals = totals
        self.explanation = explanation
        self.chartTitle = chartTitle
        self.chart = chart
        self.reference = reference
        self.fingerprint = fingerprint
        self.creationDate = creationDate
        self.mark = mark
    }
}
