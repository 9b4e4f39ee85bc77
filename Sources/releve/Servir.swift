import ArgumentParser
import Foundation
import Logging
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

        @Option(name: .customLong("hote"), help: "Adresse d'écoute (par défaut RELEVE_HOTE, sinon 127.0.0.1).")
        var host: String?

        @Option(
            name: .customLong("port"),
            help: "Port d'écoute (par défaut RELEVE_PORT, sinon 8080 ; 0 : un port libre, affiché au démarrage).")
        var port: Int?

        @Option(
            name: .customLong("metriques"),
            help: ArgumentHelp(
                "Adresse d'écoute des métriques Prometheus (/metrics), distincte de l'adresse publique, par exemple 127.0.0.1:9464 (ou RELEVE_METRIQUES) ; sans elle, pas de métriques exposées.",
                valueName: "HÔTE:PORT"))
        var metrics: String?

        @Option(
            name: .customLong("arret-max"),
            help:
                "À l'arrêt (SIGTERM, Ctrl-C), secondes laissées aux requêtes en cours pour finir (par défaut RELEVE_ARRET_MAX, sinon 30)."
        )
        var shutdownSeconds: Int?

        @Option(
            name: .customLong("delai-entete"),
            help:
                "Secondes pour recevoir l'en-tête entier d'une requête ; au-delà la connexion est fermée (le corps : 3 fois plus ; par défaut 10)."
        )
        var headSeconds: Int?

        @Option(
            name: .customLong("connexions-par-adresse"),
            help: "Connexions simultanées permises par adresse de client (par défaut 256).")
        var perAddress: Int?

        @Option(
            name: .customLong("echecs-par-adresse"),
            help:
                "Codes erronés permis par adresse de client en 10 minutes, comptés pour tous les serveurs de la même base (par défaut 50)."
        )
        var failuresPerAddress: Int?

        /// The settings as used: option, else environment (or configuration file), else default.
        struct Resolved {
            var host: String
            var port: Int
            var metrics: (host: String, port: Int)?
            var shutdownSeconds: Int
            var headSeconds: Int
            var perAddress: Int
            var failuresPerAddress: Int
        }

        func resolved() throws -> Resolved {
            let metricsAddress = metrics ?? Configuration.value("RELEVE_METRIQUES")
            var parsedMetrics: (host: String, port: Int)?
            if let metricsAddress {
                guard let colon = metricsAddress.lastIndex(of: ":"), colon > metricsAddress.startIndex,
                    let port = Int(metricsAddress[metricsAddress.index(after: colon)...]), (0...65535).contains(port)
                else { throw ValidationError("--metriques attend HÔTE:PORT, par exemple 127.0.0.1:9464.") }
                parsedMetrics = (String(metricsAddress[..<colon]).trimmingCharacters(in: ["[", "]"]), port)
            }
            let resolved = Resolved(
                host: host ?? Configuration.value("RELEVE_HOTE") ?? Defaults.host,
                port: try Configuration.integer(port, "RELEVE_PORT", default: Defaults.port), metrics: parsedMetrics,
                shutdownSeconds: try Configuration.integer(
                    shutdownSeconds, "RELEVE_ARRET_MAX", default: Defaults.shutdownSeconds),
                headSeconds: try Configuration.integer(headSeconds, "RELEVE_DELAI_ENTETE", default: Defaults.headSeconds),
                perAddress: try Configuration.integer(
                    perAddress, "RELEVE_CONNEXIONS_PAR_ADRESSE", default: Defaults.connectionsPerAddress),
                failuresPerAddress: try Configuration.integer(
                    failuresPerAddress, "RELEVE_ECHECS_PAR_ADRESSE", default: Defaults.failuresPerAddress))
            guard (0...65535).contains(resolved.port), (1...3600).contains(resolved.shutdownSeconds),
                (1...600).contains(resolved.headSeconds), (1...100_000).contains(resolved.perAddress),
                (1...100_000).contains(resolved.failuresPerAddress)
            else {
                throw ValidationError(
                    "Attendu : 0 ≤ --port ≤ 65535, 1 ≤ --arret-max ≤ 3600, 1 ≤ --delai-entete ≤ 600, 1 ≤ --connexions-par-adresse ≤ 100 000 et 1 ≤ --echecs-par-adresse ≤ 100 000."
                )
            }
            if let metrics = resolved.metrics, metrics.host == resolved.host, metrics.port == resolved.port, metrics.port != 0 {
                throw ValidationError("--metriques doit écouter ailleurs que le site (\(resolved.host):\(resolved.port)).")
            }
            return resolved
        }

        func validate() throws { _ = try resolved() }

        func run() async throws {
            let settings = try resolved()
            var configuration = WebConfiguration(loginFailuresPerAddress: settings.failuresPerAddress)
            configuration.connections = ConnectionLimits(
                headSeconds: Int64(settings.headSeconds), bodySeconds: Int64(settings.headSeconds) * 3,
                perAddress: settings.perAddress)
            // E-mail links point at this server unless --url-publique (or RELEVE_URL_PUBLIQUE) says otherwise.
            let servedAt = settings.port == 0 ? nil : "http://\(settings.host):\(settings.port)"
            try await options.withServices(check: true, servedAt: servedAt) { services in
                try await Self.serve(services, settings, configuration: configuration)
            }
        }

        static func serve(_ services: ReleveServices, _ settings: Resolved, configuration: WebConfiguration) async throws {
            let web = try Web(services: services, configuration: configuration)
            let replica =
                services.settings.readReplica.map { ", lectures des paiements sur la réplique " + ReleveSettings.redacted($0) }
                ?? ""
            let host = settings.host
            let logger = Logger(label: "releve-web")
            let metrics = settings.metrics.map { MetricsEndpoint(host: $0.host, port: $0.port, registry: Observability.registry) }
            fflush(nil)  // what was printed before reaches a pipe or a file now, not at exit
            try await CLI.run {
                try await web.serve(
                    host: host, port: settings.port, metrics: metrics, shutdownSeconds: settings.shutdownSeconds,
                    logger: logger,
                    onRunning: { bound in
                        // Written unbuffered: scripts wait for this line to know the port.
                        FileHandle.standardOutput.write(
                            Data(
                                "Releve sert la vue web sur http://\(host):\(bound)/ (API : http://\(host):\(bound)/api/v1/openapi.yaml)\n"
                                    .utf8))
                        // The operator's log: which SQLite runs under the base (SECURITY.md goal 23).
                        logger.info(
                            "releve servir : \(services.engineDescription)\(replica), \(ProcessInfo.processInfo.activeProcessorCount) cœurs",
                            metadata: ["port": .string(String(bound))])
                    },
                    onMetricsRunning: { bound in
                        FileHandle.standardOutput.write(
                            Data("Métriques Prometheus sur http://\(metrics?.host ?? host):\(bound)/metrics\n".utf8))
                    })
            }
            logger.info("releve servir : arrêté (requêtes en cours terminées) ; fermeture des connexions à la base")
        }
    }
}
