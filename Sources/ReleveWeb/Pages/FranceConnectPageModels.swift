import Mustache
import ReleveService

/// FranceConnect's identity matched one assuré without an account: terms and e-mail, no code.
struct FederatedOpeningPage: PageModel {
    static let template = Template.franceconnectOuverture
    let title = "Ouvrir mon compte avec FranceConnect"
    var csrf = ""
    var name: String
    var token: String
    var provider: String
    var terms = AccountService.termsOfUse
    var email = ""
    var termsAccepted = false
    var error: String?
}

/// After the provider's redirect: the session cookie (SameSite=Strict) is set here and the
/// browser moves on from this page, a same-site navigation that carries it.
struct ContinuePage: PageModel {
    static let template = Template.suite
    var title: String
    var csrf = ""
    var heading: String
    var text: String
    var target: String
}

/// A refused federated login: why, and the code journey as the other door.
struct FederationErrorPage: PageModel {
    static let template = Template.franceconnectErreur
    let title = "Connexion avec FranceConnect impossible"
    var csrf = ""
    var text: String
}

extension FederatedOpeningPage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "title": title
        case "csrf": csrf
        case "name": self.name
        case "token": token
        case "provider": provider
        case "terms": terms
        case "email": email
        case "termsAccepted": termsAccepted
        case "error": error
        default: nil
        }
    }
}

extension ContinuePage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "title": title
        case "csrf": csrf
        case "heading": heading
        case "text": text
        case "target": target
        default: nil
        }
    }
}

extension FederationErrorPage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "title": title
        case "csrf": csrf
        case "text": text
        default: nil
        }
    }
}
