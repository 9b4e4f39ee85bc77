import ArgumentParser
import Foundation
import ReleveDomain
import ReleveService

#if canImport(Glibc)
    import Glibc
#endif

/// Who sees the operator's options (key, outbox, archive, public address, lockout thresholds)
/// in a command's help: the operator's commands show them; the assurés' commands accept them
/// (one installation, one set of settings) but keep them out of their help.
protocol OptionsAudience {
    static var operatorOptions: ArgumentVisibility { get }
}

enum ForOperators: OptionsAudience {
    static var operatorOptions: ArgumentVisibility { .default }
}

enum ForAssures: OptionsAudience {
    static var operatorOptions: ArgumentVisibility { .hidden }
}

/// The assurés' commands: `--base` in their help, the rest accepted quietly.
typealias AssureOptions = AccountOptions<ForAssures>
/// The operator's commands: every option in their help.
typealias OperatorOptions = AccountOptions<ForOperators>

/// Options of every command that uses accounts: the database, the pepper key, the e-mail
/// outbox, the public address used in links, and the lockout thresholds.
struct AccountOptions<Audience: OptionsAudience>: ParsableArguments {
    @OptionGroup var store: StoreOptions

    @Option(
        name: .customLong("cle"),
        help: ArgumentHelp(
            "Fichier de la clé secrète (poivre) des codes, créé au premier usage avec les droits 0600 (par défaut BASE.cle, ou RELEVE_CLE).",
            valueName: "CHEMIN", visibility: Audience.operatorOptions))
    var pepperPath: String?

    @Option(
        name: .customLong("courriels"),
        help: ArgumentHelp(
            "Dossier où déposer les e-mails (.eml) ; par défaut BASE.courriels.", valueName: "DOSSIER",
            visibility: Audience.operatorOptions))
    var spool: String?

    @Option(
        name: .customLong("commande-mail"),
        help: ArgumentHelp(
            "Commande qui reçoit chaque e-mail sur son entrée, par exemple « sendmail -t ».", valueName: "COMMANDE",
            visibility: Audience.operatorOptions))
    var mailCommand: String?

    @Option(
        name: .customLong("archives"),
        help: ArgumentHelp(
            "Dossier des relevés émis (PDF et vignettes) ; par défaut RELEVE_ARCHIVES, sinon BASE.archives. Un montage partagé quand plusieurs machines servent ou émettent.",
            valueName: "DOSSIER",
            visibility: Audience.operatorOptions))
    var archive: String?

    @Option(
        name: .customLong("url-publique"),
        help: ArgumentHelp(
            "Adresse du site, pour les liens des e-mails (par défaut RELEVE_URL_PUBLIQUE, sinon celle de « servir », sinon http://127.0.0.1:8080).",
            valueName: "URL", visibility: Audience.operatorOptions))
    var publicURL: String?

    @Option(
        name: .customLong("essais-avant-blocage"),
        help: ArgumentHelp(
            "Échecs consécutifs avant un blocage temporaire (par défaut RELEVE_ESSAIS_AVANT_BLOCAGE, sinon 3).",
            valueName: "N", visibility: Audience.operatorOptions))
    var softLockOption: Int?

    @Option(
        name: .customLong("essais-avant-verrouillage"),
        help: ArgumentHelp(
            "Échecs consécutifs avant le verrouillage (jusqu'à un code provisoire ; 20 au plus ; par défaut RELEVE_ESSAIS_AVANT_VERROUILLAGE, sinon 10).",
            valueName: "N", visibility: Audience.operatorOptions))
    var hardLockOption: Int?

    /// The lockout thresholds: option, variable (or file), default.
    func thresholds() throws -> (soft: Int, hard: Int) {
        (
            try Configuration.integer(softLockOption, "RELEVE_ESSAIS_AVANT_BLOCAGE", default: Defaults.softLock),
            try Configuration.integer(hardLockOption, "RELEVE_ESSAIS_AVANT_VERROUILLAGE", default: Defaults.hardLock)
        )
    }

    func validate() throws {
        let (softLock, hardLock) = try thresholds()
        guard softLock >= 1, hardLock >= softLock, hardLock <= 20 else {
            throw ValidationError("Seuils attendus : 1 ≤ --essais-avant-blocage ≤ --essais-avant-verrouillage ≤ 20.")
        }
    }

    /// The installation's settings: the base and its neighbours, the key, the outbox, the
    /// public address and the lockout thresholds, from the options and the environment.
    /// `servedAt`: the address `servir` listens on, the links' default when none is given.
    func settings(servedAt: String? = nil) throws -> ReleveSettings {
        ReleveSettings.beside(
            base: store.path, pepperFile: pepperPath, spool: spool, mailCommand: mailCommand, archive: archive,
            publicURL: publicURL ?? ProcessInfo.processInfo.environment["RELEVE_URL_PUBLIQUE"] ?? servedAt,
            policy: try AccessPolicy(softLockThreshold: thresholds().soft, hardLockThreshold: thresholds().hard),
            readReplica: store.replica)
    }

    /// Builds the services, runs `body`, closes them; errors become French messages and exit
    /// codes. With `check`, a damaged base exits 74 before anything is written.
    func withServices<T>(check: Bool = false, servedAt: String? = nil, _ body: (ReleveServices) async throws -> T)
        async throws -> T
    {
        var settings = try CLI.runSync { try self.settings(servedAt: servedAt) }
        settings.checkOnOpen = check
        return try await CLI.open(settings, body)
    }

    /// The same, for commands about accounts.
    func withService<T>(check: Bool = false, _ body: (AccountService) async throws -> T) async throws -> T {
        try await withServices(check: check) { try await body($0.accounts) }
    }

    /// The same, for the assuré logged in with `releve connexion`.
    func withUser<T>(_ body: (ReleveServices, AccountService.Authenticated) async throws -> T) async throws -> T {
        try await withServices { services in
            try await body(services, try await services.accounts.authenticate(token: try SessionFile.read(), now: Date()))
        }
    }
}

/// The CLI's session: the token of `releve connexion`, kept in `$XDG_CONFIG_HOME/releve/session`
/// (mode 0600), removed by `releve deconnexion`.
enum SessionFile {
    static var path: String {
        let environment = ProcessInfo.processInfo.environment
        let config = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.config")
        return config + "/releve/session"
    }

    /// The folder of the session file, refused if other users may write to it.
    static func checkFolder() throws {
        let directory = (path as NSString).deletingLastPathComponent
        if let problem = LocalFolder.sharedWriteProblem(directory) {
            throw ServiceError.outputUnwritable(path: path, reason: problem)
        }
    }

    static func read() throws -> String? {
        try checkFolder()
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func write(_ token: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try LocalFolder.makePrivate(directory)
        try checkFolder()
        try AtomicFile.write(Array((token + "\n").utf8), to: path, mode: 0o600)
    }

    static func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// The current code a sensitive change asks again; a FranceConnect session shows a recent
/// provider login instead (none asked), or is told to sign in again.
enum CurrentCode {
    static func ask(_ user: AccountService.Authenticated, policy: AccessPolicy, prompt: String) throws -> String {
        guard user.method == FederationService.method else { return try Input.line(prompt, secret: true) }
        guard user.freshFederatedLogin(now: Date(), policy: policy) else {
            throw ServiceError.federation(.reauthenticationRequired)
        }
        FileHandle.standardError.write(
            Data("Identité confirmée avec FranceConnect à l'instant : aucun code n'est demandé.\n".utf8))
        return ""
    }
}
