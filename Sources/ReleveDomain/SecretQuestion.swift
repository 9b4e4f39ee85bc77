import Foundation

/// The fixed list of secret questions (seed). The answer is only ever an extra check during
/// recovery, never enough on its own (SECURITY.md §0.4).
public enum SecretQuestion: Int, Sendable, Hashable, CaseIterable {
    case mothersMaidenName = 1
    case firstSchool = 2
    case childhoodFriend = 3
    case firstPet = 4
    case birthCityOfFather = 5

    public var french: String {
        switch self {
        case .mothersMaidenName: "Nom de jeune fille de votre mère"
        case .firstSchool: "Nom de votre première école"
        case .childhoodFriend: "Prénom de votre meilleur ami d'enfance"
        case .firstPet: "Nom de votre premier animal de compagnie"
        case .birthCityOfFather: "Ville de naissance de votre père"
        }
    }

    public init(number: Int) throws(DomainError) {
        guard let question = SecretQuestion(rawValue: number) else {
            throw .invalid(field: "question secrète", reason: "choisissez un numéro de 1 à \(Self.allCases.count)")
        }
        self = question
    }

    /// NFKC, case-folded, spaces trimmed and collapsed: "  Dupont-  MARTIN " and "dupont- martin"
    /// are the same answer. Throws when nothing is left or it is too long.
    public static func normalise(_ answer: String) throws(DomainError) -> String {
        let folded = answer.precomposedStringWithCompatibilityMapping.folding(options: [.caseInsensitive], locale: nil)
        let words = folded.split(whereSeparator: { $0.isWhitespace })
        let normalised = words.joined(separator: " ")
        guard normalised.count >= 2 else {
            throw .invalid(field: "réponse secrète", reason: "au moins 2 caractères attendus")
        }
        guard normalised.count <= 60 else {
            throw .invalid(field: "réponse secrète", reason: "60 caractères au plus")
        }
        guard !normalised.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalid(field: "réponse secrète", reason: "caractère de contrôle refusé")
        }
        return normalised
    }
}

/// An e-mail address, checked for shape (one `@`, a dotted domain, no spaces or controls),
/// lower-cased in its domain part.
public struct EmailAddress: Sendable, Hashable, CustomStringConvertible {
    public let value: String

    public init(_ text: String) throws(DomainError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let bytes = Array(trimmed.utf8)
        func refuse(_ reason: String) -> DomainError { .invalid(field: "adresse e-mail", reason: reason) }
        guard (6...254).contains(bytes.count) else { throw refuse("longueur invalide") }
        guard
            bytes.allSatisfy({
                $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") && $0 != UInt8(ascii: "\"")
                    && $0 != UInt8(ascii: ",") && $0 != UInt8(ascii: ";")
            })
        else {
            throw refuse("caractères non admis (espaces, accents, guillemets, virgules…)")
        }
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else {
            throw refuse("forme attendue : prenom.nom@exemple.fr")
        }
        let domain = parts[1].lowercased()
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && $0.count <= 63 && !$0.hasPrefix("-") && !$0.hasSuffix("-") }),
            labels.last!.count >= 2
        else { throw refuse("nom de domaine invalide après « @ »") }
        value = "\(parts[0])@\(domain)"
    }

    public var description: String { value }

    /// `j•••@exemple.fr`, for logs.
    public var masked: String {
        let parts = value.split(separator: "@")
        return "\(parts[0].prefix(1))•••@\(parts.count > 1 ? parts[1] : "")"
    }
}
