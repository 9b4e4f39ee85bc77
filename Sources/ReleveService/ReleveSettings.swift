import Crypto
import Foundation
import ReleveDomain
import ReleveOIDC
import ReleveStore

/// Everything that varies from one installation to another, read in one place (the faces fill
/// it from their options and the environment) and handed to `ReleveServices.build`.
public struct ReleveSettings: Sendable {
    /// Which engine holds the data, and where.
    public enum Database: Sendable {
        /// The embedded engine on a file (created on first use).
        case sqlite(path: String)
        /// A PostgreSQL server, `postgres://user@host:port/base` (the schema is made on first use).
        case postgres(url: String)
        /// The embedded engine in memory (tests, trials): gone at exit.
        case memory
        /// An engine the caller opened (tests that also reach below the services, benchmarks).
        case engine(any Store)
    }

    /// The secret key (pepper) mixed into every code hash, kept outside the database.
    public enum Pepper: Sendable {
        /// A 32-byte key file, created 0600 on first use.
        case file(String)
        /// A key given directly (tests).
        case key(SymmetricKey)
    }

    public var database: Database
    public var pepper: Pepper
    /// PBKDF2 rounds for new hashes (tests lower it; production keeps the default).
    public var kdfRounds = CodeHasher.productionRounds
    public var mail: MailOutbox.Delivery
    /// Issued statements (PDF and thumbnails).
    public var archive: String
    /// Print batches for the post.
    public var printBatches: String
    /// Exports for the complementary insurers.
    public var insurerExports: String
    /// The web view's address, used in e-mail links.
    public var publicURL: String
    public var policy: AccessPolicy
    /// The OpenID Connect provider (FranceConnect), when the operator registered one.
    public var federation: ProviderSettings?
    /// A streaming replica of the PostgreSQL base (`--base-lecture`, `RELEVE_BASE_LECTURE`) for
    /// the payments reads of pages and the API, while it lags at most `maximumReplicaLag` seconds
    /// (`RELEVE_RETARD_LECTURE_MAX`, default 5).
    public var readReplica: String?
    public var maximumReplicaLag: Double = 5
    /// Runs the engine's quick check at opening (bulk writers and the server): a damaged base
    /// stops the command before anything is written.
    public var checkOnOpen = false

    public init(
        database: Database, pepper: Pepper, mail: MailOutbox.Delivery, archive: String, printBatches: String,
        insurerExports: String, publicURL: String = ReleveSettings.defaultPublicURL, policy: AccessPolicy = .standard
    ) {
        self.database = database
        self.pepper = pepper
        self.mail = mail
        self.archive = archive
        self.printBatches = printBatches
        self.insurerExports = insurerExports
        self.publicURL = publicURL
        self.policy = policy
    }

    public static let defaultPublicURL = "http://127.0.0.1:8080"

    /// A base address without its password, for screens and logs.
    public static func redacted(_ url: String) -> String {
        url.replacingOccurrences(of: #"(://[^:/@]+):[^@]*@"#, with: "$1:***@", options: .regularExpression)
    }

    /// The base `path` (else `RELEVE_BASE`, else `./releve.sqlite`; a `postgres://` address selects
    /// the PostgreSQL engine) with everything else beside it: `BASE.cle` (or `RELEVE_CLE`), `BASE.courriels`
    /// (or `RELEVE_COURRIELS`; `RELEVE_COMMANDE_MAIL` pipes each e-mail to a command instead),
    /// `BASE.archives` (or `RELEVE_ARCHIVES`), `BASE.lots` (or `RELEVE_LOTS`), `BASE.exports` (or
    /// `RELEVE_EXPORTS`). Each `nil` argument takes that default. The configuration file's values
    /// arrive as these variables (`ConfigurationFile`).
    public static func beside(
        base path: String?, pepperFile: String? = nil, spool: String? = nil, mailCommand: String? = nil,
        archive: String? = nil, printBatches: String? = nil, insurerExports: String? = nil,
        publicURL: String? = nil, policy: AccessPolicy = .standard, readReplica: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> ReleveSettings {
        let base = path ?? environment["RELEVE_BASE"] ?? "releve.sqlite"
        let url = publicURL ?? environment["RELEVE_URL_PUBLIQUE"] ?? defaultPublicURL
        // A server base has no folder: its neighbours go to RELEVE_DOSSIER (else the current
        // folder) under the name "releve" (releve.cle, releve.archives…).
        let server = base.hasPrefix("postgres://") || base.hasPrefix("postgresql://")
        let neighbour =
            server ? (environment["RELEVE_DOSSIER"] ?? FileManager.default.currentDirectoryPath) + "/releve" : base
        var settings = ReleveSettings(
            database: server ? .postgres(url: base) : .sqlite(path: base),
            pepper: .file(pepperFile ?? environment["RELEVE_CLE"] ?? neighbour + ".cle"),
            mail: (mailCommand ?? environment["RELEVE_COMMANDE_MAIL"]).map { .command($0) }
                ?? .spool(directory: spool ?? environment["RELEVE_COURRIELS"] ?? neighbour + ".courriels"),
            archive: archive ?? environment["RELEVE_ARCHIVES"] ?? neighbour + ".archives",
            printBatches: printBatches ?? environment["RELEVE_LOTS"] ?? neighbour + ".lots",
            insurerExports: insurerExports ?? environment["RELEVE_EXPORTS"] ?? neighbour + ".exports", publicURL: url,
            policy: policy)
        settings.federation = federation(environment: environment, publicURL: url)
        if server {
            settings.readReplica = readReplica ?? environment["RELEVE_BASE_LECTURE"].flatMap { $0.isEmpty ? nil : $0 }
            if let lag = environment["RELEVE_RETARD_LECTURE_MAX"].flatMap(Double.init), lag >= 0 {
                settings.maximumReplicaLag = lag
            }
        }
        return settings
    }

    /// The provider settings from the environment (README, "FranceConnect"): `RELEVE_FC_EMETTEUR`
    /// (issuer), `RELEVE_FC_CLIENT` (client id), the secret in the file `RELEVE_FC_SECRET_FICHIER`
    /// or in `RELEVE_FC_SECRET` (never on a command line), `RELEVE_FC_RETOUR` and
    /// `RELEVE_FC_APRES_DECONNEXION` (default: under the public address), `RELEVE_FC_ACR`
    /// (accepted levels, comma-separated; default `eidas1`; empty: none asked), `RELEVE_FC_NOM`.
    /// Nil when no issuer is set; an unreadable secret file leaves an empty secret, which
    /// `releve admin franceconnect verifier` reports.
    public static func federation(environment: [String: String], publicURL: String) -> ProviderSettings? {
        guard let issuer = environment["RELEVE_FC_EMETTEUR"], !issuer.isEmpty, let client = environment["RELEVE_FC_CLIENT"]
        else { return nil }
        var secret = environment["RELEVE_FC_SECRET"] ?? ""
        if let file = environment["RELEVE_FC_SECRET_FICHIER"], let data = FileManager.default.contents(atPath: file) {
            secret = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let acr = (environment["RELEVE_FC_ACR"] ?? "eidas1").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
        return ProviderSettings(
            issuer: issuer, clientID: client, clientSecret: secret,
            redirectURI: environment["RELEVE_FC_RETOUR"] ?? publicURL + "/franceconnect/retour",
            postLogoutRedirectURI: environment["RELEVE_FC_APRES_DECONNEXION"] ?? publicURL + "/franceconnect/deconnecte",
            acceptedACR: acr, name: environment["RELEVE_FC_NOM"] ?? "FranceConnect")
    }

    /// The base file, when the engine has one.
    public var basePath: String? {
        switch database {
        case .sqlite(let path): path
        case .postgres, .memory, .engine: nil
        }
    }
}
