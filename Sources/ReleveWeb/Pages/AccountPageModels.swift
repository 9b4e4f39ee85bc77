import Foundation
import Mustache
import ReleveDomain
import ReleveService

/// The table rows of the payments page, built as escaped HTML in one pass (see `PaymentsPage`).
struct TableRows: Sendable {
    var rows: String
}

/// Payments over the chosen months, synthetic (one row per payment) or detailed (one per act).
struct PaymentsPage: PageModel {
    static let template = Template.paiements
    let title = "Mes paiements"
    var csrf = ""
    var period: String
    var switchHref: String
    var switchLabel: String
    var view: String
    /// The filters' `<option>` lists, as escaped HTML (`Choice.options`).
    var monthOptions: String
    var beneficiaryOptions: String
    var natureOptions: String
    var from: String
    var to: String
    var error: String?
    var chart: String
    var chartText: String
    var totalPaid: String
    var totalReimbursed: String
    var totalDeductions: String
    var totalRemaining: String
    var empty: Bool
    var synthetic: TableRows?
    var detailed: TableRows?
    /// The same selection as a PDF anyone can check.
    var pdfHref = "/paiements.pdf"
}

/// One payment, act by act.
struct PaymentPage: PageModel {
    static let template = Template.paiement
    struct Line: Sendable {
        var careDate: String
        var beneficiary: String
        var label: String
        var professional: String
        var paid: String
        var base: String
        var rate: String
        var reimbursed: String
        var remaining: String
        var transmitted: String
    }

    var title: String
    var csrf = ""
    var date: String
    var reference: String
    var payee: String
    var kind: String
    var reimbursed: String
    var explanation =
        "Remboursé = base × taux pour chaque acte, moins les participations forfaitaires et franchises. Le reste à charge est ce qui n'a pas été remboursé par l'Assurance Maladie."
    var lines: [Line]
    var decompteHref: String

    init(_ payment: Payment, report: PaymentsReport) {
        decompteHref =
            "/paiements/\(payment.reference.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")/decompte.pdf"
        title = "Paiement du \(payment.date.formatted)"
        date = payment.date.formatted
        reference = payment.reference
        payee = payment.payee.french
        kind = payment.kind.french
        reimbursed = payment.totalReimbursed.formatted
        lines = payment.lines.map { line in
            // A deduction has no amount paid, base or rate: a dash, not "0,00 € | 0 %".
            let act = line.kind == .act
            return Line(
                careDate: line.careDate.formatted, beneficiary: report.beneficiaryName(line.beneficiaryRank),
                label: act ? line.label : "\(line.label) (déduction)", professional: line.professional ?? "",
                paid: act ? line.paid.formatted : "—", base: act ? line.base.formatted : "—",
                rate: act ? line.rate.formatted : "—", reimbursed: line.reimbursed.formatted,
                remaining: line.remainingCost.formatted,
                transmitted: line.transmittedToComplementaire ? "transmis" : "non transmis")
        }
    }
}

/// The archive of monthly statements, and duplicata requests.
struct StatementsPage: PageModel {
    static let template = Template.releves
    struct Statement: Sendable {
        var month: String
        var monthLabel: String
        var payments: String
        var reimbursed: String
        var pages: String
        var fingerprint: String
    }

    struct Request: Sendable {
        var month: String
        var status: String
    }

    let title = "Mes relevés"
    var csrf = ""
    var delivery: String
    var statements: [Statement]
    var requests: [Request]
    // Stored, not computed: Mustache reads a model's stored properties only.
    var empty: Bool
    var hasRequests: Bool
    /// The closed years whose summary can be asked for, newest first.
    var years: [String] = []
    var hasYears = false

    init(statements: [ArchivedStatement], requests: [DuplicataRequest], delivery: DeliveryRule.Mode) {
        self.delivery = "Votre relevé du mois en cours : \(delivery.explanation)."
        self.statements = statements.map {
            Statement(
                month: $0.month.description, monthLabel: $0.month.formatted, payments: French.count($0.payments, "paiement"),
                reimbursed: $0.reimbursed.formatted, pages: French.count($0.pages, "page"), fingerprint: $0.fingerprint)
        }
        self.requests = requests.map { Request(month: $0.month.formatted, status: $0.statusText) }
        empty = statements.isEmpty
        hasRequests = !requests.isEmpty
    }
}

/// The account: identity, médecin traitant, complémentaires, e-mail and code changes.
struct AccountOverviewPage: PageModel {
    static let template = Template.compte
    struct Beneficiary: Sendable {
        var name: String
        var complementaire: String
    }

    let title = "Mon compte"
    var csrf = ""
    var name: String
    var nir: String
    var caisse: String
    var address: String
    var doctor: String
    var beneficiaries: [Beneficiary]
    var delivery: String
    var email: String
    var confirmed: Bool
    var codeLengths = personalCodeLengths
    /// The new address typed in a refused change, shown again.
    var newEmail = ""
    /// A FranceConnect session: sensitive changes need a fresh provider login, not a code.
    var federated: Bool
    var fresh: Bool
    var provider = "FranceConnect"
    var freshDelay: String

    init(
        user: AccountService.Authenticated, delivery: DeliveryRule.Mode, today: CivilDate, tariffs: TariffTable = .standard,
        now: Date = Date(), policy: AccessPolicy = .standard
    ) {
        let person = user.person.person
        name = person.fullName
        nir = person.nir.formatted
        caisse = "\(person.caisse.name) — \(person.regime.name)"
        address = "\(person.address.lines.joined(separator: ", ")), \(person.address.postalCode) \(person.address.city)"
        doctor =
            person.doctor.map { "\($0.name), déclaré le \($0.since.formatted)." }
            ?? "Aucun médecin traitant déclaré : vos consultations sont remboursées à \(tariffs.outsidePathwayRates(on: today)). Déclarez-en un avec lui, lors d'une consultation."
        beneficiaries = person.beneficiaries.map { Beneficiary(name: $0.firstName, complementaire: $0.complementaireFrench) }
        self.delivery = "Votre relevé du mois en cours : \(delivery.explanation)."
        email = user.email
        confirmed = user.emailConfirmed
        federated = user.method == FederationService.method
        fresh = user.freshFederatedLogin(now: now, policy: policy)
        freshDelay = French.duration(seconds: policy.freshLoginSeconds)
    }
}

/// Cancelling the account: its consequences, the code to confirm.
struct CancellationPage: PageModel {
    static let template = Template.resiliation
    let title = "Résilier mon compte"
    var csrf = ""
    var consequences = AccountService.cancellationConsequences
    var error: String?
    var federated = false
    var fresh = false
    var provider = "FranceConnect"
}

extension TableRows: MustacheParent {
    func child(named name: String) -> Any? { name == "rows" ? rows : nil }
}

extension PaymentsPage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "title": title
        case "csrf": csrf
        case "period": period
        case "switchHref": switchHref
        case "switchLabel": switchLabel
        case "view": view
        case "monthOptions": monthOptions
        case "beneficiaryOptions": beneficiaryOptions
        case "natureOptions": natureOptions
        case "from": from
        case "to": to
        case "error": error
        case "chart": chart
        case "chartText": chartText
        case "totalPaid": totalPaid
        case "totalReimbursed": totalReimbursed
        case "totalDeductions": totalDeductions
        case "totalRemaining": totalRemaining
        case "empty": empty
        case "synthetic": synthetic
        case "detailed": detailed
        case "pdfHref": pdfHref
        default: nil
        }
    }
}

extension PaymentPage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "title": title
        case "csrf": csrf
        case "date": date
        case "reference": reference
        case "payee": payee
        case "kind": kind
        case "reimbursed": reimbursed
        case "explanation": explanation
        case "lines": lines
        case "decompteHref": decompteHref
        default: nil
        }
    }
}

extension PaymentPage.Line: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "careDate": careDate
        case "beneficiary": beneficiary
        case "label": label
        case "professional": professional
        case "paid": paid
        case "base": base
        case "rate": rate
        case "reimbursed": reimbursed
        case "remaining": remaining
        case "transmitted": transmitted
        default: nil
        }
    }
}

extension StatementsPage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "title": title
        case "csrf": csrf
        case "delivery": delivery
        case "statements": statements
        case "requests": requests
        case "empty": empty
        case "hasRequests": hasRequests
        case "years": years
        case "hasYears": hasYears
        default: nil
        }
    }
}

extension StatementsPage.Statement: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "month": month
        case "monthLabel": monthLabel
        case "payments": payments
        case "reimbursed": reimbursed
        case "pages": pages
        case "fingerprint": fingerprint
        default: nil
        }
    }
}

extension StatementsPage.Request: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "month": month
        case "status": status
        default: nil
        }
    }
}

extension AccountOverviewPage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "title": title
        case "csrf": csrf
        case "name": self.name
        case "nir": nir
        case "caisse": caisse
        case "address": address
        case "doctor": doctor
        case "beneficiaries": beneficiaries
        case "delivery": delivery
        case "email": email
        case "confirmed": confirmed
        case "codeLengths": codeLengths
        case "newEmail": newEmail
        case "federated": federated
        case "fresh": fresh
        case "provider": provider
        case "freshDelay": freshDelay
        default: nil
        }
    }
}

extension AccountOverviewPage.Beneficiary: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "complementaire": complementaire
        default: nil
        }
    }
}

extension CancellationPage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "title": title
        case "csrf": csrf
        case "consequences": consequences
        case "error": error
        case "federated": federated
        case "fresh": fresh
        case "provider": provider
        default: nil
        }
    }
}
