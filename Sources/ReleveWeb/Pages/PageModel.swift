import Mustache
import ReleveDomain

/// Every template, by name: a page cannot ask for a template that does not exist.
enum Template: String, CaseIterable, Sendable {
    case layout, accueil, message, ouverture, compte, resiliation, erreur, paiements, paiement, releves
    case codeProvisoire = "code-provisoire"
    case ouvertureEtape2 = "ouverture-etape2"
    case confirmationEmail = "confirmation-email"
    case problemeAcces = "probleme-acces"
    case verifier, suite
    case franceconnectOuverture = "franceconnect-ouverture"
    case franceconnectErreur = "franceconnect-erreur"
    /// Partials, included by the pages above.
    case etapes, csrf
    case franceconnectBouton = "franceconnect-bouton"

    var source: String {
        switch self {
        case .layout: Templates.layout
        case .accueil: Templates.accueil
        case .message: Templates.message
        case .ouverture: Templates.ouverture
        case .compte: Templates.compte
        case .resiliation: Templates.resiliation
        case .erreur: Templates.erreur
        case .paiements: Templates.paiements
        case .paiement: Templates.paiement
        case .releves: Templates.releves
        case .codeProvisoire: Templates.codeProvisoire
        case .ouvertureEtape2: Templates.ouvertureEtape2
        case .confirmationEmail: Templates.confirmationEmail
        case .problemeAcces: Templates.problemeAcces
        case .verifier: Templates.verifier
        case .suite: Templates.suite
        case .franceconnectOuverture: Templates.franceconnectOuverture
        case .franceconnectErreur: Templates.franceconnectErreur
        case .franceconnectBouton: Templates.franceconnectBouton
        case .etapes: Templates.etapes
        case .csrf: Templates.csrf
        }
    }
}

/// A page's view model (STYLE.md habit 8): ready-formatted French strings, flags and lists of
/// the same, never a domain or database type. Its template reads nothing else.
protocol PageModel: Sendable, MustacheParent {
    static var template: Template { get }
    /// The page's title (the browser tab, and the layout's `<title>`).
    var title: String { get }
    /// The CSRF token of the page's forms, set by `Views.page`.
    var csrf: String { get set }
}

/// The layout around every page.
struct LayoutModel: Sendable {
    struct User: Sendable {
        var name: String
        var navPaiements: Bool
        var navReleves: Bool
        var navCompte: Bool
    }

    struct Flash: Sendable {
        var text: String
        var kind: String
    }

    var title: String
    var body: String
    var csrf: String
    var demo: Bool
    var user: User?
    var flash: Flash?
}

/// One step of the opening journey, for the `etapes` partial.
struct OpeningStep: Sendable {
    var number: Int
    var label: String
    var current: Bool

    static func all(current: Int) -> [OpeningStep] {
        ["Code provisoire", "Conditions, code, question, e-mail", "Confirmation"].enumerated().map { index, label in
            OpeningStep(number: index + 1, label: label, current: index + 1 == current)
        }
    }
}

/// A link shown as a button.
struct LinkModel: Sendable {
    var href: String
    var label: String
}

/// A choice of a `<select>`.
struct Choice: Sendable {
    var value: String
    var label: String
    var selected: Bool

    /// `<option value="…" selected>…</option>` for each, escaped: a form's lists, drawn in one
    /// pass rather than through a Mustache section (a seventh of « Mes paiements »'s time).
    static func options(_ choices: [Choice]) -> String {
        var html = ""
        for choice in choices {
            html += "<option value=\"\(HTML.escape(choice.value))\"\(choice.selected ? " selected" : "")>"
            html += "\(HTML.escape(choice.label))</option>"
        }
        return html
    }
}

// Mustache reads a model's fields through `MustacheParent.child(named:)` when the model has one,
// and through `Mirror` otherwise. Reflection demangles every field's type at every lookup: it was
// 41 % of the server's time on « Mes paiements » (perf, docs/BENCHMARKS.md). So every model
// answers by name; PageModelTests checks each answer against the stored property it stands for.

extension LayoutModel: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "title": title
        case "body": body
        case "csrf": csrf
        case "demo": demo
        case "user": user
        case "flash": flash
        default: nil
        }
    }
}

extension LayoutModel.User: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "navPaiements": navPaiements
        case "navReleves": navReleves
        case "navCompte": navCompte
        default: nil
        }
    }
}

extension LayoutModel.Flash: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "text": text
        case "kind": kind
        default: nil
        }
    }
}

extension OpeningStep: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "number": number
        case "label": label
        case "current": current
        default: nil
        }
    }
}

extension LinkModel: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "href": href
        case "label": label
        default: nil
        }
    }
}
