import Mustache
import ReleveDomain
import ReleveService

/// `8 à 13 chiffres`: the personal code's length, as the domain rule states it.
let personalCodeLengths = "\(PersonalCode.lengths.lowerBound) à \(PersonalCode.lengths.upperBound) chiffres"

/// The home page: login form, ways in for those without an account.
struct HomePage: PageModel {
    static let template = Template.accueil
    struct DemoAccounts: Sendable {
        struct Account: Sendable {
            var name: String
            var nir: String
            var code: String
        }
        var accounts: [Account]
    }

    let title = "Accueil"
    var csrf = ""
    var nir = ""
    var error: String?
    var demoAccounts: DemoAccounts?
    var codeLengths = personalCodeLengths
    /// Whether the FranceConnect button is shown (a provider is configured).
    var franceconnect = false
}

/// Ordering a provisional code.
struct CodeRequestPage: PageModel {
    static let template = Template.codeProvisoire
    let title = "Commander mon code provisoire"
    var csrf = ""
    var nir = ""
    var nom = ""
    var naissance = ""
    var codePostal = ""
    var error: String?
    var postalDelay = AccessPolicy.postalDelay
    var validity: String

    init(policy: AccessPolicy) {
        validity = policy.provisionalCodeValidity
    }
}

/// A message with an optional button: request recorded, account opened, link refused…
struct MessagePage: PageModel {
    static let template = Template.message
    var title: String
    var csrf = ""
    var heading: String
    var paragraphs: [String]
    var link: LinkModel?
}

/// Opening, step 1: NIR and provisional code.
struct OpeningPage: PageModel {
    static let template = Template.ouverture
    let title = "Ouvrir mon compte"
    var csrf = ""
    var steps = OpeningStep.all(current: 1)
    var nir = ""
    var error: String?
}

/// Opening, step 2: terms, personal code, secret question, e-mail. `state` carries what step 1
/// found (kind, name, question), sealed by the server, so a refused submission redraws this
/// step without checking the provisional code again.
struct OpeningStep2Page: PageModel {
    static let template = Template.ouvertureEtape2
    struct Question: Sendable {
        var number: Int
        var text: String
        var selected: Bool
    }

    /// What the assuré typed, kept after a refusal (never the codes nor the secret answer).
    struct Kept: Sendable {
        var termsAccepted = false
        var question: Int?
        var email = ""
    }

    var title: String
    var csrf = ""
    var steps = OpeningStep.all(current: 2)
    var kindLabel: String
    var nir: String
    var provisional: String
    var state: String
    var terms = AccountService.termsOfUse
    var questions: [Question]
    var codeLengths = personalCodeLengths
    var error: String?
    var termsAccepted: Bool
    var email: String

    init(
        nir: String, provisional: String, summary: OpeningSummary, state: String, error: String?, kept: Kept = Kept()
    ) {
        title = "Ouvrir mon compte — \(summary.fullName)"
        kindLabel =
            switch summary.kind {
            case .new: "nouveau compte"
            case .recovery: "nouveau code personnel"
            case .reopening: "réouverture"
            }
        self.nir = nir
        self.provisional = provisional
        self.state = state
        questions = (summary.question.map { [$0] } ?? SecretQuestion.allCases).map {
            Question(number: $0.rawValue, text: $0.french, selected: $0.rawValue == kept.question)
        }
        self.error = error
        termsAccepted = kept.termsAccepted
        email = kept.email
    }
}

/// What step 1 of the opening learnt and step 2 shows.
struct OpeningSummary: Sendable, Equatable {
    var kind: AccountService.OpeningKind
    var fullName: String
    var question: SecretQuestion?

    init(kind: AccountService.OpeningKind, fullName: String, question: SecretQuestion?) {
        self.kind = kind
        self.fullName = fullName
        self.question = question
    }

    init(_ check: AccountService.ProvisionalCheck) {
        self.init(kind: check.kind, fullName: check.fullName, question: check.question)
    }

    /// `kind|question|name`, for the sealed hidden field.
    var encoded: String { "\(kind.rawValue)|\(question?.rawValue ?? 0)|\(fullName)" }

    init?(encoded: String) {
        let parts = encoded.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let kind = AccountService.OpeningKind(rawValue: String(parts[0])),
            let question = Int(parts[1])
        else { return nil }
        self.init(kind: kind, fullName: String(parts[2]), question: SecretQuestion(rawValue: question))
    }
}

/// The e-mail confirmation link's landing page (a button, so that link scanners confirm nothing).
struct EmailConfirmationPage: PageModel {
    static let template = Template.confirmationEmail
    let title = "Confirmer mon adresse e-mail"
    var csrf = ""
    var token: String?
}

/// Lost code, code never received, locked or cancelled account, other régime, maintenance.
struct AccessHelpPage: PageModel {
    static let template = Template.problemeAcces
    let title = "Problème d'accès"
    var csrf = ""
    var postalDelay = AccessPolicy.postalDelay
    var requestsLimit: String

    init(policy: AccessPolicy) {
        requestsLimit = policy.provisionalRequestsLimit
    }
}

/// An error, in French, with a way back.
struct ErrorPage: PageModel {
    static let template = Template.erreur
    var title: String
    var csrf = ""
    var heading: String
    var text: String

    init(title: String, text: String) {
        self.title = title
        heading = title
        self.text = text
    }
}

/// The public check of a Releve document: by file or by reference and fingerprint.
struct VerificationPage: PageModel {
    static let template = Template.verifier
    struct Answer: Sendable {
        var text: String
        var kind: String
    }

    let title = "Vérifier un document Releve"
    var csrf = ""
    var reference = ""
    var fingerprint = ""
    var error: String?
    var answer: Answer?
}

extension HomePage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "title": title
        case "csrf": csrf
        case "nir": nir
        case "error": error
        case "demoAccounts": demoAccounts
        case "codeLengths": codeLengths
        case "franceconnect": franceconnect
        default: nil
        }
    }
}

extension HomePage.DemoAccounts: MustacheParent {
    func child(named name: String) -> Any? { name == "accounts" ? accounts : nil }
}

extension HomePage.DemoAccounts.Account: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "nir": nir
        case "code": code
        default: nil
        }
    }
}

extension CodeRequestPage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "title": title
        case "csrf": csrf
        case "nir": nir
        case "nom": nom
        case "naissance": naissance
        case "codePostal": codePostal
        case "error": error
        case "postalDelay": postalDelay
        case "validity": validity
        default: nil
        }
    }
}

extension MessagePage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "title": title
        case "csrf": csrf
        case "heading": heading
        case "paragraphs": paragraphs
        case "link": link
        default: nil
        }
    }
}

extension OpeningPage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "title": title
        case "csrf": csrf
        case "steps": steps
        case "nir": nir
        case "error": error
        default: nil
        }
    }
}

extension OpeningStep2Page: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "title": title
        case "csrf": csrf
        case "steps": steps
        case "kindLabel": kindLabel
        case "nir": nir
        case "provisional": provisional
        case "state": state
        case "terms": terms
        case "questions": questions
        case "codeLengths": codeLengths
        case "error": error
        case "termsAccepted": termsAccepted
        case "email": email
        default: nil
        }
    }
}

extension OpeningStep2Page.Question: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "number": number
        case "text": text
        case "selected": selected
        default: nil
        }
    }
}

extension EmailConfirmationPage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "title": title
        case "csrf": csrf
        case "token": token
        default: nil
        }
    }
}

extension AccessHelpPage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "title": title
        case "csrf": csrf
        case "postalDelay": postalDelay
        case "requestsLimit": requestsLimit
        default: nil
        }
    }
}

extension ErrorPage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "title": title
        case "csrf": csrf
        case "heading": heading
        case "text": text
        default: nil
        }
    }
}

extension VerificationPage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "title": title
        case "csrf": csrf
        case "reference": reference
        case "fingerprint": fingerprint
        case "error": error
        case "answer": answer
        default: nil
        }
    }
}

extension VerificationPage.Answer: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "text": text
        case "kind": kind
        default: nil
        }
    }
}
