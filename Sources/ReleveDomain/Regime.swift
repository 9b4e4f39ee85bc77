/// The health-insurance scheme a person belongs to. Only the régime général and its partner
/// schemes can open an account (DOMAIN.md §2.1); the others are told whom to contact.
public enum Regime: String, Sendable, Hashable, CaseIterable, Codable {
    case general = "RG"
    case camieg = "CAMIEG"
    case cnmss = "CNMSS"
    case crpcen = "CRPCEN"
    case enim = "ENIM"
    case mgp = "MGP"
    case mnh = "MNH"
    case lmde = "LMDE"
    case msa = "MSA"
    case mgen = "MGEN"
    case sncf = "SNCF"
    case ratp = "RATP"
    case independants = "SSI"

    public init(code: String) throws(DomainError) {
        guard let regime = Regime(rawValue: code) else {
            let known = Regime.allCases.map(\.rawValue).joined(separator: ", ")
            throw .invalid(field: "régime", reason: "« \(code.prefix(20)) » inconnu (codes admis : \(known))")
        }
        self = regime
    }

    public var name: String {
        switch self {
        case .general: "Régime général"
        case .camieg: "CAMIEG (industries électriques et gazières)"
        case .cnmss: "CNMSS (militaires)"
        case .crpcen: "CRPCEN (clercs et employés de notaires)"
        case .enim: "ENIM (marins)"
        case .mgp: "MGP (police)"
        case .mnh: "MNH (hospitaliers)"
        case .lmde: "LMDE (étudiants)"
        case .msa: "MSA (agriculteurs et salariés agricoles)"
        case .mgen: "MGEN (éducation nationale)"
        case .sncf: "CPRP SNCF (cheminots)"
        case .ratp: "CCAS RATP"
        case .independants: "Sécurité sociale des indépendants"
        }
    }

    /// Whether people of this scheme can open an account here.
    public var isEligibleForAccount: Bool {
        switch self {
        case .general, .camieg, .cnmss, .crpcen, .enim, .mgp, .mnh, .lmde, .independants: true
        case .msa, .mgen, .sncf, .ratp: false
        }
    }

    /// For the schemes not served here: whom to contact instead.
    public var contactForOtherScheme: String? {
        switch self {
        case .msa: "votre caisse de MSA, sur son site « Mon espace privé » ou à son accueil"
        case .mgen: "votre section départementale MGEN, qui gère votre assurance maladie obligatoire"
        case .sncf: "la Caisse de prévoyance et de retraite du personnel de la SNCF (CPRP SNCF)"
        case .ratp: "la Caisse de coordination aux assurances sociales de la RATP (CCAS)"
        default: nil
        }
    }
}
