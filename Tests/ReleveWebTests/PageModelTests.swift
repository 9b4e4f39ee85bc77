import Foundation
import Mustache
import ReleveDomain
import ReleveTestSupport
import Testing

@testable import ReleveService
@testable import ReleveStore
@testable import ReleveWeb

/// Every page is a typed model rendered by its own template: the template reads only names the
/// model has (a typo renders nothing in Mustache; here it fails), and every template renders.
@Suite("Page models")
struct PageModelTests {
    /// One fully populated model per page (every optional set, every list non-empty).
    static var samples: [any PageModel] {
        let statement = ArchivedStatement(
            id: .init(1),
            statement: StatementFile(
                personID: .init(1), month: try! Month(parsing: "2026-10"), reference: "REL-1",
                issuedOn: Fixtures.date("2026-11-01"), file: "f.pdf", sha256: "s", fingerprint: "F", size: 1, pages: 2,
                reimbursed: Cents(1900)), payments: 3)
        let request = DuplicataRequest(
            letterID: .init(1), month: try! Month(parsing: "2026-10"), reference: "REL-1", status: .pending, requestedAt: 0,
            printedAt: nil, postedAt: nil)
        var home = HomePage(nir: "1", error: "e")
        home.demoAccounts = .init(accounts: [.init(name: "n", nir: "1", code: "2")])
        var codeRequest = CodeRequestPage(policy: .standard)
        codeRequest.error = "e"
        var verification = VerificationPage(reference: "R", fingerprint: "F", error: "e")
        verification.answer = .init(text: "t", kind: "succes")
        var statements = StatementsPage(statements: [statement], requests: [request], delivery: .online)
        statements.years = ["2025"]
        statements.hasYears = true
        return [
            home, codeRequest,
            MessagePage(title: "t", heading: "h", paragraphs: ["p"], link: LinkModel(href: "/", label: "l")),
            OpeningPage(nir: "1", error: "e"),
            OpeningStep2Page(
                nir: "1", provisional: "2", summary: OpeningSummary(kind: .recovery, fullName: "Jean", question: .firstPet),
                state: "s", error: "e"),
            EmailConfirmationPage(token: "t"), AccessHelpPage(policy: .standard), ErrorPage(title: "t", text: "x"),
            PaymentsPage(
                period: "p", switchHref: "/", switchLabel: "s", view: "detail",
                monthOptions: Choice.options([Choice(value: "1", label: "1 mois", selected: true)]),
                beneficiaryOptions: Choice.options([Choice(value: "1", label: "Jean", selected: false)]),
                natureOptions: Choice.options([Choice(value: "pharmacie", label: "pharmacie", selected: false)]), from: "",
                to: "", error: "e",
                chart: "<svg></svg>", chartText: "c", totalPaid: "1", totalReimbursed: "1", totalDeductions: "1",
                totalRemaining: "1", empty: true, synthetic: TableRows(rows: "<tr></tr>"), detailed: TableRows(rows: "<tr></tr>")),
            PaymentPage(
                Fixtures.consultation(),
                report: PaymentsReport(
                    person: Fixtures.person(), from: Fixtures.date("2026-10-01"), to: Fixtures.date("2026-10-31"),
                    payments: [Fixtures.consultation()], filtered: false)),
            statements, verification, CancellationPage(error: "e"),
            FederatedOpeningPage(name: "Jean Martin", token: "t", provider: "FranceConnect", error: "e"),
            ContinuePage(title: "t", heading: "h", text: "x", target: "/paiements"), FederationErrorPage(text: "x"),
            AccountOverviewPage(
                user: AccountService.Authenticated(
                    person: StoredPerson(id: .init(1), person: Fixtures.person(doctor: false)),
                    account: StoredAccount(
                        personID: .init(1), status: .active, codeHash: "", question: 1, answerHash: "", email: "j@exemple.fr",
                        emailConfirmed: true, createdAt: 0, updatedAt: 0, closedAt: nil), tokenHash: []),
                delivery: .online, today: Fixtures.date("2026-11-30")),
        ]
    }

    /// The names a template reads (`{{x}}`, `{{{x}}}`, `{{#x}}`, `{{^x}}`), partials excepted.
    static func names(in template: String) -> Set<String> {
        let regex = try! NSRegularExpression(pattern: #"\{\{\{?\s*([#^/]?)\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}?\}\}"#)
        let text = template as NSString
        var names = Set<String>()
        for match in regex.matches(in: template, range: NSRange(location: 0, length: text.length)) {
            names.insert(text.substring(with: match.range(at: 2)))
        }
        return names
    }

    /// Every stored property name reachable from a value (through lists and optionals).
    static func labels(of value: Any) -> Set<String> {
        var labels = Set<String>()
        for child in Mirror(reflecting: value).children {
            if let label = child.label { labels.insert(label) }
            let mirror = Mirror(reflecting: child.value)
            switch mirror.displayStyle {
            case .collection?: for element in mirror.children { labels.formUnion(Self.labels(of: element.value)) }
            case .optional?: if let wrapped = mirror.children.first { labels.formUnion(Self.labels(of: wrapped.value)) }
            case .struct?: labels.formUnion(Self.labels(of: child.value))
            default: break
            }
        }
        return labels
    }

    @Test("every page template reads only names its model has, and renders")
    func templatesMatchModels() throws {
        let views = try Views(demo: false)
        var covered = Set<Template>()
        for page in Self.samples {
            let template = type(of: page).template
            covered.insert(template)
            var source = template.source
            if source.contains("{{> etapes}}") { source += Template.etapes.source }
            if source.contains("{{> csrf}}") { source += Template.csrf.source }
            if source.contains("{{> franceconnect-bouton}}") { source += Template.franceconnectBouton.source }
            let missing = Self.names(in: source).subtracting(Self.labels(of: page))
            #expect(missing.isEmpty, "\(template.rawValue) reads \(missing.sorted()), which \(type(of: page)) lacks")
            let body = views.body(page)
            #expect(body?.isEmpty == false, "\(template.rawValue) does not render")
        }
        let pages = Set(Template.allCases).subtracting([.layout, .etapes, .csrf, .franceconnectBouton])
        #expect(covered == pages, "pages without a sample: \(pages.subtracting(covered).map(\.rawValue))")
        let layout = LayoutModel(
            title: "t", body: "b", csrf: "c", demo: true,
            user: .init(name: "n", navPaiements: true, navReleves: false, navCompte: false), flash: .init(text: "f", kind: "k"))
        #expect(Self.names(in: Template.layout.source + Template.csrf.source).subtracting(Self.labels(of: layout)).isEmpty)
    }

    /// An optional's wrapped value, or nil; any other value as it is.
    static func unwrapped(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return value }
        return mirror.children.first.map(\.value)
    }

    /// Where a struct reachable from `value` does not answer Mustache by name, or answers a name
    /// with something else than its stored property of that name (value and type).
    static func fieldProblems(of value: Any, path: String) -> [String] {
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .collection?:
            return mirror.children.flatMap { fieldProblems(of: $0.value, path: path + "[]") }
        case .optional?:
            return mirror.children.flatMap { fieldProblems(of: $0.value, path: path) }
        case .struct?:
            break
        default:
            return []
        }
        if value is String { return [] }
        guard let parent = value as? MustacheParent else { return ["\(path): \(type(of: value)) is read by reflection"] }
        var problems: [String] = []
        for child in mirror.children {
            guard let label = child.label else { continue }
            let stored = unwrapped(child.value)
            let answered = parent.child(named: label)
            let same =
                switch (stored, answered) {
                case (nil, nil): true
                case (let stored?, let answered?):
                    type(of: stored) == type(of: answered)
                        && String(describing: stored) == String(describing: answered)
                default: false
                }
            if !same {
                problems.append(
                    "\(path).\(label): answered \(String(describing: answered)), stored \(String(describing: stored))")
            }
            problems += fieldProblems(of: child.value, path: path + "." + label)
        }
        if parent.child(named: "nomInexistant") != nil { problems.append("\(path): answers a name it lacks") }
        return problems
    }

    @Test("every model answers Mustache by name, each name with its stored property (no reflection)")
    func modelsAnswerByName() {
        let layout = LayoutModel(
            title: "t", body: "b", csrf: "c", demo: true,
            user: .init(name: "n", navPaiements: true, navReleves: false, navCompte: false), flash: .init(text: "f", kind: "k"))
        var problems = Self.fieldProblems(of: layout, path: "LayoutModel")
        for page in Self.samples { problems += Self.fieldProblems(of: page, path: "\(type(of: page))") }
        problems += Self.fieldProblems(of: OpeningPage(nir: "1"), path: "OpeningPage")
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    @Test("the field check catches a wrong or missing answer")
    func fieldCheckCatches() {
        struct Wrong: MustacheParent {
            var a = "x"
            var b: Int? = 1
            var c = "z"
            func child(named name: String) -> Any? { name == "a" ? "y" : name == "b" ? "1" : nil }
        }
        struct Reflected { var a = "x" }
        let problems = Self.fieldProblems(of: Wrong(), path: "W")
        #expect(problems.count == 3, "\(problems)")
        #expect(Self.fieldProblems(of: [Reflected()], path: "R") == ["R[]: Reflected is read by reflection"])
    }

    @Test("{{x}} escapes what Mustache's own HTML escaping does, through the faster one")
    func escapingMatchesMustache() throws {
        _ = try Views(demo: false)  // registers the content type
        let ours = try MustacheTemplate(string: "{{% CONTENT_TYPE: \(EscapedHTML.name)}}<p title=\"{{x}}\">{{x}}</p>")
        let theirs = try MustacheTemplate(string: "<p title=\"{{x}}\">{{x}}</p>")
        for text in ["", "plain", "é à ç", "<script>alert('x')</script>", "a & b \"c\" 'd' > e", "🦷&<>", "&amp;", "e\u{301}<"] {
            #expect(ours.render(["x": text]) == theirs.render(["x": text]), "\(text)")
        }
        #expect(ours.render(["x": "<b>"]) == #"<p title="&lt;b&gt;">&lt;b&gt;</p>"#)
    }

    @Test("a select's options: escaped values and labels, the selected one marked")
    func options() {
        let html = Choice.options([
            Choice(value: "1", label: "le dernier mois", selected: false),
            Choice(value: "a\"b", label: "<Zoé & co>", selected: true),
        ])
        #expect(
            html
                == #"<option value="1">le dernier mois</option><option value="a&quot;b" selected>&lt;Zoé &amp; co&gt;</option>"#)
        #expect(Choice.options([]).isEmpty)
    }

    @Test("pages state the access policy in force")
    func pagesFollowThePolicy() throws {
        let policy = try AccessPolicy(provisionalCodeDays: 10, provisionalRequestsPerDay: 2)
        let views = try Views(demo: false)
        let request = try #require(views.body(CodeRequestPage(policy: policy)))
        #expect(request.contains("valable 10 jours") && !request.contains("15 jours"))
        let help = try #require(views.body(AccessHelpPage(policy: policy)))
        #expect(help.contains("2 demandes par jour au plus"))
    }

    @Test("a name the model lacks is caught")
    func missingNameIsCaught() {
        let names = Self.names(in: "<p>{{heading}} {{{oops}}} {{#link}}{{href}}{{/link}}</p>")
        let page = MessagePage(title: "t", heading: "h", paragraphs: [], link: LinkModel(href: "/", label: "l"))
        #expect(names.subtracting(Self.labels(of: page)) == ["oops"])
    }
}
