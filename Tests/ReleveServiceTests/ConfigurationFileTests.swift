import Foundation
import Logging
import ReleveService
import Testing

/// Issue 18: the configuration file's subset of TOML, its schema, and its mistakes (each with
/// its line); the log handler's lines and what it never writes.
@Suite("Configuration file and log lines")
struct ConfigurationFileTests {
    @Test func readsEverySectionIntoItsVariables() throws {
        let file = try ConfigurationFile.parse(
            """
            # Releve, caisse de démonstration
            [base]
            chemin = "postgres://releve@db.interne/releve"   # la base principale
            retard_lecture_max = 2.5
            connexions = 1_000

            [fichiers]
            archives = '/srv/releve/archives'
            cle = "/etc/releve/releve.cle"

            [web]
            port = 8081
            metriques = "127.0.0.1:9464"
            url_publique = "https://releve.exemple.fr/\\u00e9#pas-un-commentaire"

            [journal]
            format = "json"
            """, path: "releve.toml")
        #expect(
            file.environment == [
                "RELEVE_BASE": "postgres://releve@db.interne/releve", "RELEVE_RETARD_LECTURE_MAX": "2.5",
                "RELEVE_PG_CONNEXIONS": "1000", "RELEVE_ARCHIVES": "/srv/releve/archives", "RELEVE_CLE": "/etc/releve/releve.cle",
                "RELEVE_PORT": "8081", "RELEVE_METRIQUES": "127.0.0.1:9464",
                "RELEVE_URL_PUBLIQUE": "https://releve.exemple.fr/é#pas-un-commentaire", "RELEVE_JOURNAL_FORMAT": "json",
            ])
        #expect(file.values.first { $0.key.name == "port" }?.line == 12)
    }

    @Test(
        "a mistake is refused with its line and a French reason",
        arguments: [
            ("[base]\nchemin = \"a\"\nprot = 3\n", 3, "clé inconnue « prot » dans [base]"),
            ("[web]\nport = \"8080\"\n", 2, "attendu un entier de 0 à 65535"),
            ("[web]\nport = 70000\n", 2, "attendu un entier de 0 à 65535"),
            ("chemin = \"a\"\n", 1, "hors de toute section"),
            ("[bsae]\n", 1, "section inconnue « [bsae] »"),
            ("[base]\nchemin = \"a\n", 2, "chaîne non terminée"),
            ("[base]\nchemin = a b\n", 2, "texte en trop"),
            ("[base]\nchemin = \"a\"\n\nchemin = \"b\"\n", 4, "déjà donnée ligne 2"),
            ("[web]\nmetriques = \"9464\"\n", 3 - 1, "hôte:port"),
            ("[journal]\nformat = \"xml\"\n", 2, "\"json\", \"texte\", \"auto\""),
            ("[base]\nchemin \"a\"\n", 2, "ligne incomprise"),
            ("[politique]\nessais_avant_blocage = 5\nessais_avant_verrouillage = 4\n", 3, "doit être au moins"),
            ("[base]\nchemin = \"\\q\"\n", 2, "échappement « \\q » inconnu"),
        ])
    func mistakes(text: String, line: Int, reason: String) {
        #expect {
            try ConfigurationFile.parse(text, path: "releve.toml")
        } throws: { error in
            guard let mistake = error as? ConfigurationFile.Mistake else { return false }
            return mistake.line == line && mistake.description.hasPrefix("releve.toml:\(line) : ")
                && mistake.reason.contains(reason)
        }
    }

    @Test func everyKeyHasItsOwnVariable() {
        let variables = ConfigurationFile.schema.map(\.variable)
        #expect(Set(variables).count == variables.count)
        #expect(variables.allSatisfy { $0.hasPrefix("RELEVE_") })
        // The FranceConnect secret has no key: it stays in its own file.
        #expect(!ConfigurationFile.schema.contains { $0.variable == "RELEVE_FC_SECRET" })
    }

    @Test func logLinesAreJSONWithTheRequestID() throws {
        let sink = LogSink.memory()
        var logger = Logger(label: "releve-web") { ReleveLogHandler(label: $0, format: .json, level: .info, sink: sink) }
        logger[metadataKey: "request_id"] = "essai-42"
        logger.info("requête", metadata: ["route": "/paiements", "status": "200", "duration_ms": "1.250"])
        logger.debug("jamais écrite au niveau info")
        #expect(sink.lines.count == 1)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(sink.lines[0].utf8)) as? [String: Any])
        #expect(object["request_id"] as? String == "essai-42")
        #expect(object["route"] as? String == "/paiements")
        #expect(object["status"] as? Int == 200)
        #expect(object["duration_ms"] as? Double == 1.25)
        #expect(object["level"] as? String == "info")
        #expect(object["message"] as? String == "requête")
        #expect(sink.lines[0].hasSuffix("}\n"))
    }

    @Test func secretsNeverReachALogLine() {
        let sink = LogSink.memory()
        let logger = Logger(label: "releve") { ReleveLogHandler(label: $0, format: .text, level: .debug, sink: sink) }
        logger.error(
            "échec pour 1701275112034 avec le code 39451827",
            metadata: [
                "email": "assure@exemple.fr", "nir": "1 70 12 75 112 034 27", "token": "k3J9x_Q2mZ8vR1pL7tY4wN6sB0cD5eF-",
                "count": "1234567", "time": "2026-12-07T12:00:00Z", "address": "127.0.0.1:8080",
            ])
        let line = sink.lines.joined()
        for secret in ["1701275112034", "39451827", "assure@exemple.fr", "exemple.fr", "k3J9x", "112 034"] {
            #expect(!line.contains(secret), "\(secret) in \(line)")
        }
        // What is not secret stays readable.
        for kept in ["count=1234567", "2026-12-07T12:00:00Z", "127.0.0.1:8080", "échec pour"] {
            #expect(line.contains(kept), "\(kept) missing from \(line)")
        }
    }
}
