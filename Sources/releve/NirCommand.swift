import ArgumentParser
import ReleveDomain

extension Releve {
    struct NirCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "nir",
            abstract: "Vérifie un numéro de sécurité sociale et explique ce qu'il contient.",
            discussion: """
                Accepte les 13 premiers caractères (comme à la connexion) ou les 15 avec la clé ; \
                espaces et points sont tolérés. Code de sortie 65 si le numéro est invalide.
                """)

        @Argument(help: ArgumentHelp("Le numéro, entre guillemets s'il contient des espaces.", valueName: "NUMERO"))
        var number: String

        @OptionGroup var output: FormatOptions

        struct Description: Encodable {
            let nir: String
            let cle: String
            let sexe: String
            let provisoire: Bool
            let immatriculationEnCours: Bool
            let anneeNaissance: Int
            let moisNaissance: Int?
            let departement: String?
            let commune: String?
            let pays: String?
            let ordre: String

            init(_ nir: NIR) {
                self.nir = nir.body
                cle = String(nir.withKey.suffix(2))
                sexe = nir.sex.french
                provisoire = nir.isProvisional
                immatriculationEnCours = nir.isTemporary
                anneeNaissance = nir.birthYearTwoDigits
                switch nir.birthMonth {
                case .known(let month), .pseudoFictitious(_, let month): moisNaissance = month
                case .fictitious: moisNaissance = nil
                }
                switch nir.birthPlace {
                case .mainland(let department, let commune), .corsica(let department, let commune),
                    .overseas(let department, let commune):
                    (departement, self.commune, pays) = (department, commune, nil)
                case .abroad(let country):
                    (departement, commune, pays) = (nil, nil, country)
                }
                ordre = nir.orderNumber
            }
        }

        func run() async throws {
            let nir: NIR
            do {
                nir = try NIR(parsing: number)
            } catch {
                CLI.printError("Numéro invalide — \(error.message)")
                throw ExitCode(65)
            }
            if output.json {
                try FormatOptions.print(Description(nir))
            } else {
                print(Self.describe(nir))
            }
        }

        static func describe(_ nir: NIR) -> String {
            var lines = ["NIR valide : \(nir.formatted)", "  Clé : \(nir.withKey.suffix(2))"]
            var sex = nir.sex.french
            if nir.isProvisional { sex += " (numéro provisoire)" }
            if nir.isTemporary { sex += " (immatriculation en cours)" }
            lines.append("  Sexe : \(sex)")
            let year = nir.birthYearTwoDigits
            lines.append("  Année de naissance : \(year < 10 ? "0" : "")\(year) (le siècle n'est pas dans le numéro)")
            switch nir.birthMonth {
            case .known(let month):
                lines.append("  Mois de naissance : \(Self.monthName(month)) (\(month < 10 ? "0" : "")\(month))")
            case .fictitious(let code):
                lines.append("  Mois de naissance : inconnu (code fictif \(code))")
            case .pseudoFictitious(let code, let month):
                lines.append("  Mois de naissance : \(Self.monthName(month)) (code \(code), état civil incomplet)")
            }
            switch nir.birthPlace {
            case .mainland(let department, let commune):
                lines.append("  Lieu de naissance : département \(department), commune \(commune)")
            case .corsica(let department, let commune):
                lines.append(
                    "  Lieu de naissance : \(department == "2A" ? "Corse-du-Sud" : "Haute-Corse") (\(department)), commune \(commune)"
                )
            case .overseas(let department, let commune):
                lines.append("  Lieu de naissance : outre-mer, \(department), commune \(commune)")
            case .abroad(let country):
                lines.append("  Lieu de naissance : à l'étranger, pays INSEE \(country)")
            }
            lines.append("  Numéro d'ordre : \(nir.orderNumber)")
            return lines.joined(separator: "\n")
        }

        static func monthName(_ month: Int) -> String {
            ((try? Month(year: 2000, month: month))?.formatted ?? "").replacingOccurrences(of: " 2000", with: "")
        }
    }
}
