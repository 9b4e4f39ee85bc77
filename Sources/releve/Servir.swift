import ArgumentParser
import Foundation
import ReleveService
import ReleveWeb

extension Releve {
    struct Servir: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "servir",
            abstract: "Sert la vue web et l'API JSON (/api/v1) sur la même base que la ligne de commande.",
            discussion: """
                Par défaut sur 127.0.0.1:8080 (boucle locale). Placez un proxy HTTPS devant pour un accès réseau : \
                le cookie de session est « Secure ». Arrêt propre avec Ctrl-C (SIGINT) ou SIGTERM.
                """)

        @OptionGroup var options: OperatorOptions

        @Option(name: .customLong("hote"), help: "Adresse d'écoute.")
        var host = "127.0.0.1"

        @Option(name: .customLong("port"), help: "Port d'écoute (0 : un port libre, affiché au démarrage).")
        var port = 8080

        @Option(
            name: .customLong("delai-entete"),
            help:
                "Secondes pour recevoir l'en-tête entier d'une requête ; au-delà la connexion est fermée (le corps : 3 fois plus)."
        )
        var headSeconds: Int64 = 10

        @Option(name: .customLong("connexions-par-adresse"), help: "Connexions simultanées permises par adresse de client.")
        var perAddress = 256

        @Option(
            name: .customLong("echecs-par-adresse"),
            help:
                "Codes erronés permis par adresse de client en 10 minutes, comptés pour tous les serveurs de la même base.")
        var failuresPerAddress = 50

        func validate() throws {
            guard (1...600).contains(headSeconds), (1...100_000).contains(perAddress), (1...100_000).contains(failuresPerAddress)
            else {
                throw ValidationError(
                    "Attendu : 1 ≤ --delai-entete ≤ 600, 1 ≤ --connexions-par-adresse ≤ 100 000 et 1 ≤ --echecs-par-adresse ≤ 100 000."
                )
            }
        }

        func run() async throws {
            var configuration = WebConfiguration(loginFailuresPerAddress: failuresPerAddress)
            configuration.connections = ConnectionLimits(
                headSeconds: headSeconds, bodySeconds: headSeconds * 3, perAddress: perAddress)
            // E-mail links point at this server unless --url-publique (or RELEVE_URL_PUBLIQUE) says otherwise.
            let servedAt = port == 0 ? nil : "http://\(host):\(port)"
            try await options.withServices(check: true, servedAt: servedAt) { services in
                try await Self.serve(services, host: host, port: port, configuration: configuration)
            }
        }

        static func serve(_ services: ReleveServices, host: String, port: Int, configuration: WebConfiguration) async throws {
            let web = try Web(services: services, configuration: configuration)
            let replica =
                services.settings.readReplica.map { ", lectures des paiements sur la réplique " + ReleveSettings.redacted($0) }
                ?? ""
            let app = web.application(host: host, port: port) { bound in
                // Written unbuffered: scripts wait for this line to know the port.
                FileHandle.standardOutput.write(
                    Data(
                        "Releve sert la vue web sur http://\(host):\(bound)/ (API : http://\(host):\(bound)/api/v1/openapi.yaml)\n"
                            .utf8))
                // The operator's log (standard error): which SQLite runs under the base (SECURITY.md goal 23).
                FileHandle.standardError.write(
                    Data(
                        "releve servir : \(services.engineDescription)\(replica), \(ProcessInfo.processInfo.activeProcessorCount) cœurs\n"
                            .utf8))
            }
            fflush(nil)  // what was printed before reaches a pipe or a file now, not at exit
            try await CLI.run { try await app.runService() }
        }
    }
}
