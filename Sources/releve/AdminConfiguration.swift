import ArgumentParser
import Foundation
import ReleveDomain
import ReleveService

extension Releve.Admin {
    struct ConfigurationCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "configuration",
            abstract: "Affiche la configuration effective, chaque valeur avec sa provenance ; secrets masqués.",
            discussion: """
                Ne fait que lire ; n'ouvre pas la base. La sortie est elle-même un fichier releve.toml valide : \
                chaque clé porte en commentaire d'où vient sa valeur (option, environnement, fichier:ligne ou \
                défaut). Les mots de passe des adresses PostgreSQL sont remplacés par *** ; le secret FranceConnect \
                n'est jamais affiché (seulement s'il est défini).
                """)

        @OptionGroup var options: OperatorOptions
        @OptionGroup var output: FormatOptions

        struct Line: Encodable {
            var cle: String
            var valeur: String?
            var source: String
        }

        func run() async throws {
            let lines = try CLI.runSync { try effective() }
            if output.json {
                struct Document: Encodable {
                    var fichier: String?
                    var ordre: String
                    var cles: [Line]
                }
                return try FormatOptions.print(
                    Document(
                        fichier: Configuration.file?.path, ordre: "option > environnement > fichier > défaut", cles: lines))
            }
            print("# Configuration effective (ordre : option > environnement > fichier > défaut)")
            print("# Fichier de configuration : \(Configuration.file?.path ?? "aucun")")
            var section = ""
            for line in lines {
                let parts = line.cle.split(separator: ".", maxSplits: 1).map(String.init)
                if parts[0] != section {
                    section = parts[0]
                    print("\n[\(section)]")
                }
                let kind = ConfigurationFile.schema.first { $0.path == line.cle }?.kind
                let value = line.valeur.map { text -> String in
                    switch kind {
                    case .integer, .seconds: return text
                    default:
                        return "\""
                            + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                            + "\""
                    }
                }
                if let value {
                    print("\(parts[1]) = \(value)  # \(line.source)")
                } else {
                    print("# \(parts[1]) : \(line.source == "défaut" ? "non défini" : line.source)")
                }
            }
        }

        /// Every key of the schema with its effective value (as the commands would use it) and
        /// where that value comes from.
        func effective() throws -> [Line] {
            let settings = try options.settings()
            let store = options.store
            func source(_ variable: String, option: Any?) -> String {
                if option != nil { return "option" }
                return Configuration.source(of: variable) ?? "défaut"
            }
            var values: [String: (String?, Any?)] = [:]
            switch settings.database {
            case .sqlite(let path): values["base.chemin"] = (path, store.path)
            case .postgres(let url): values["base.chemin"] = (ReleveSettings.redacted(url), store.path)
            case .memory, .engine: values["base.chemin"] = ("(en mémoire)", store.path)
            }
            values["base.lecture"] = (settings.readReplica.map(ReleveSettings.redacted), store.replica)
            values["base.retard_lecture_max"] = (String(settings.maximumReplicaLag), nil)
            values["base.connexions"] = (Configuration.value("RELEVE_PG_CONNEXIONS") ?? "16", nil)
            values["fichiers.dossier"] = (
                Configuration.value("RELEVE_DOSSIER") ?? FileManager.default.currentDirectoryPath, nil
            )
            if case .file(let path) = settings.pepper { values["fichiers.cle"] = (path, options.pepperPath) }
            values["fichiers.archives"] = (settings.archive, options.archive)
            values["fichiers.lots"] = (settings.printBatches, nil)
            values["fichiers.exports"] = (settings.insurerExports, nil)
            switch settings.mail {
            case .spool(let directory):
                values["fichiers.courriels"] = (directory, options.spool)
                values["courriel.commande"] = (nil, nil)
            case .command(let command):
                values["fichiers.courriels"] = (nil, nil)
                values["courriel.commande"] = (command, options.mailCommand)
            }
            values["web.url_publique"] = (settings.publicURL, options.publicURL)
            values["web.hote"] = (Configuration.value("RELEVE_HOTE") ?? Defaults.host, nil)
            values["web.port"] = (Configuration.value("RELEVE_PORT") ?? String(Defaults.port), nil)
            values["web.metriques"] = (Configuration.value("RELEVE_METRIQUES"), nil)
            values["web.delai_entete"] = (Configuration.value("RELEVE_DELAI_ENTETE") ?? String(Defaults.headSeconds), nil)
            values["web.connexions_par_adresse"] = (
                Configuration.value("RELEVE_CONNEXIONS_PAR_ADRESSE") ?? String(Defaults.connectionsPerAddress), nil
            )
            values["web.echecs_par_adresse"] = (
                Configuration.value("RELEVE_ECHECS_PAR_ADRESSE") ?? String(Defaults.failuresPerAddress), nil
            )
            values["web.arret_max"] = (Configuration.value("RELEVE_ARRET_MAX") ?? String(Defaults.shutdownSeconds), nil)
            values["politique.essais_avant_blocage"] = (String(settings.policy.softLockThreshold), options.softLockOption)
            values["politique.essais_avant_verrouillage"] = (
                String(settings.policy.hardLockThreshold), options.hardLockOption
            )
            let federation = settings.federation
            values["franceconnect.emetteur"] = (federation?.issuer, nil)
            values["franceconnect.client"] = (federation?.clientID, nil)
            values["franceconnect.secret_fichier"] = (Configuration.value("RELEVE_FC_SECRET_FICHIER"), nil)
            values["franceconnect.retour"] = (federation?.redirectURI, nil)
            values["franceconnect.apres_deconnexion"] = (federation?.postLogoutRedirectURI, nil)
            values["franceconnect.acr"] = (federation.map { $0.acceptedACR.joined(separator: ",") }, nil)
            values["franceconnect.nom"] = (federation?.name, nil)
            values["journal.format"] = (Configuration.value("RELEVE_JOURNAL_FORMAT") ?? "auto", nil)
            values["journal.niveau"] = (Configuration.value("RELEVE_JOURNAL_NIVEAU") ?? "info", nil)
            values["metriques.fichier"] = (Configuration.value("RELEVE_METRIQUES_FICHIER"), nil)
            var lines = ConfigurationFile.schema.map { key in
                let (value, option) = values[key.path] ?? (nil, nil)
                return Line(cle: key.path, valeur: value, source: source(key.variable, option: option))
            }
            // The secret itself: only whether there is one.
            if let federation {
                lines.append(
                    Line(
                        cle: "franceconnect.secret", valeur: nil,
                        source: federation.clientSecret.isEmpty ? "vide" : "défini, masqué"))
            }
            return lines
        }
    }
}
