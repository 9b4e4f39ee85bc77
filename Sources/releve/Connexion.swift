import ArgumentParser
import Foundation
import ReleveDomain
import ReleveService

extension Releve {
    struct Connexion: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "connexion",
            abstract: "Se connecter avec son numéro de sécurité sociale et son code personnel.",
            discussion: """
                Le code personnel est lu sans écho sur un terminal, ou sur la première ligne de l'entrée \
                standard. La session dure \(AccessPolicy.standard.sessionLimits) ; elle est gardée \
                dans $XDG_CONFIG_HOME/releve/session (droits 0600).
                """)

        @OptionGroup var options: AssureOptions

        @Option(name: .customLong("nir"), help: ArgumentHelp("Numéro de sécurité sociale (13 caractères).", valueName: "NIR"))
        var nir: String?

        @Flag(
            name: .customLong("franceconnect"),
            help: ArgumentHelp(
                "Se connecter avec FranceConnect : une adresse à ouvrir dans le navigateur s'affiche, le retour arrive sur un port local."
            ))
        var franceconnect = false

        @Flag(
            name: .customLong("sans-navigateur"),
            help: ArgumentHelp("Avec --franceconnect : afficher l'adresse sans ouvrir le navigateur."))
        var noBrowser = false

        func validate() throws {
            if franceconnect && nir != nil {
                throw ValidationError("--franceconnect et --nir s'excluent : FranceConnect ne demande ni NIR ni code.")
            }
        }

        func run() async throws {
            if franceconnect {
                try await options.withServices { try await federatedLogin($0) }
                return
            }
            try await options.withService { service in
                let nir = try self.nir ?? Input.line("Numéro de sécurité sociale (13 caractères)")
                let code = try Input.line("Code personnel", secret: true)
                // The current session ends only once the new one is open: a typo, a lockout or
                // maintenance leave the assuré logged in as before.
                let previous = try SessionFile.read()
                let session = try await service.login(nir: nir, code: code, channel: .cli, now: Date())
                try SessionFile.write(session.token)
                if let previous, previous != session.token {
                    try? await service.logout(token: previous, channel: .cli, now: Date())
                }
                print("Bienvenue, \(session.fullName). Votre session est ouverte.")
            }
        }
    }

    /// The seconds the CLI waits for the browser to come back from the provider.
    static let federatedWait = 300
}

extension Releve.Connexion {
    /// RFC 8252: the authorization address (opened in the browser, or printed), the redirect on a
    /// loopback port chosen by the system, PKCE and state kept by the service; then the same
    /// session file as the code login. An identity without an account may open one here.
    func federatedLogin(_ services: ReleveServices) async throws {
        let federation = services.federation
        let redirect = try LoopbackRedirect.open()
        defer { redirect.close() }
        let binding = Token.generate()
        let url = try await federation.begin(.login, binding: binding, redirectURI: redirect.redirectURI, now: Date())
        Console.say("Pour vous identifier avec \(federation.providerName), ouvrez cette adresse dans votre navigateur :")
        Console.say(url)
        if !noBrowser { Browser.open(url) }
        Console.say(
            "En attente du retour du navigateur sur \(redirect.redirectURI) (\(French.duration(seconds: Releve.federatedWait)) au plus)…"
        )
        let answer = try redirect.wait(seconds: Releve.federatedWait)
        let outcome = try await federation.complete(
            state: answer["state"], code: answer["code"], error: answer["error"], errorDescription: answer["error_description"],
            binding: binding, channel: .cli, now: Date())
        let previous = try SessionFile.read()
        let session: AccountService.NewSession
        switch outcome {
        case .session(let opened):
            session = opened
        case .opening(let token, let name):
            session = try await openAccount(
                federation, token: token, name: name, binding: binding, policy: services.accounts.policy)
        case .reauthenticated:
            throw ServiceError.internal("réauthentification inattendue à la connexion")
        }
        try SessionFile.write(session.token)
        if let previous, previous != session.token {
            try? await services.accounts.logout(token: previous, channel: .cli, now: Date())
        }
        Console.say("Bienvenue, \(session.fullName). Votre session est ouverte (\(federation.providerName)).")
    }

    /// An identity matched without an account: the terms, then the e-mail address.
    func openAccount(
        _ federation: FederationService, token: String, name: String, binding: String, policy: AccessPolicy
    ) async throws -> AccountService.NewSession {
        Console.say("\(federation.providerName) a confirmé votre identité : \(name). Vous n'avez pas encore de compte Releve.")
        Console.say("")
        Console.say(AccountService.termsOfUse)
        Console.say("")
        let accepted = try Input.line("Acceptez-vous ces conditions d'utilisation ? (oui/non)")
        guard ["oui", "o"].contains(accepted.lowercased()) else { throw ServiceError.termsRefused }
        let email = try Input.line("Adresse e-mail (un lien de confirmation y sera envoyé)")
        let session = try await federation.openAccount(
            openingToken: token, binding: binding, acceptTerms: true, email: email, now: Date())
        Console.say(
            "Compte ouvert. Confirmez votre adresse avec le lien reçu par e-mail (valable \(French.duration(seconds: policy.emailTokenSeconds)))."
        )
        return session
    }
}

/// Lines written at once (not buffered): a script or a test reads the address while the command
/// waits for the browser.
enum Console {
    static func say(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}

/// Opens an address in the desktop's browser when there is a desktop; otherwise the printed
/// address is what the assuré uses.
enum Browser {
    static func open(_ url: String) {
        let environment = ProcessInfo.processInfo.environment
        guard environment["DISPLAY"] != nil || environment["WAYLAND_DISPLAY"] != nil,
            FileManager.default.isExecutableFile(atPath: "/usr/bin/xdg-open")
        else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/xdg-open")
        process.arguments = [url]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try? process.run()
    }
}

extension Releve {
    struct Deconnexion: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "deconnexion", abstract: "Se déconnecter (ferme la session).")

        @OptionGroup var options: AssureOptions

        func run() async throws {
            try await options.withService { service in
                guard let token = try SessionFile.read() else {
                    print("Aucune session n'était ouverte : rien à fermer.")
                    return
                }
                try await service.logout(token: token, channel: .cli, now: Date())
                SessionFile.remove()
                print("Session fermée. À bientôt.")
            }
        }
    }
}
