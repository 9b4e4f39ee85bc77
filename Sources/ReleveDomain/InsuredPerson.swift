/// An assuré as the insurer's registry knows them: identity, address for letters, scheme and
/// caisse, médecin traitant, and the beneficiaries (ayants droit) of their reimbursements.
public struct InsuredPerson: Sendable, Hashable {
    public typealias ID = ReleveDomain.ID<InsuredPerson>

    public var nir: NIR
    public var lastName: String
    public var firstNames: String
    public var birthDate: CivilDate
    public var address: PostalAddress
    public var regime: Regime
    public var caisse: Caisse
    public var doctor: DoctorDeclaration?
    /// Affection de longue durée: care for it is reimbursed at 100 %.
    public var longTermCondition: Bool
    /// Rank 1 is the assuré themself; ayants droit follow (2, 3, …).
    public private(set) var beneficiaries: [Beneficiary]

    public init(
        nir: NIR, lastName: String, firstNames: String, birthDate: CivilDate, address: PostalAddress,
        regime: Regime, caisse: Caisse, doctor: DoctorDeclaration?, longTermCondition: Bool,
        beneficiaries: [Beneficiary]
    ) throws(DomainError) {
        try nir.checkConsistency(birthDate: birthDate)
        self.nir = nir
        self.lastName = try Text.clean(lastName, field: "nom", maxLength: 80)
        self.firstNames = try Text.clean(firstNames, field: "prénoms", maxLength: 80)
        self.birthDate = birthDate
        self.address = address
        self.regime = regime
        self.caisse = caisse
        self.doctor = doctor
        self.longTermCondition = longTermCondition
        guard let own = beneficiaries.first, own.rank == 1 else {
            throw .invalid(field: "bénéficiaires", reason: "le premier bénéficiaire doit être l'assuré lui-même (rang 1)")
        }
        var seen = Set<Int>()
        for beneficiary in beneficiaries {
            guard seen.insert(beneficiary.rank).inserted else {
                throw .invalid(field: "bénéficiaires", reason: "le rang \(beneficiary.rank) apparaît deux fois")
            }
        }
        guard beneficiaries.count <= 20 else {
            throw .invalid(field: "bénéficiaires", reason: "plus de 20 bénéficiaires")
        }
        self.beneficiaries = beneficiaries
    }

    public var sex: NIR.Sex { nir.sex }

    /// `Mme Claire DUPONT` / `M. Jean MARTIN`, as on letters.
    public var fullName: String {
        "\(sex == .female ? "Mme" : "M.") \(firstNames) \(lastName.uppercased())"
    }

    public func beneficiary(rank: Int) -> Beneficiary? {
        beneficiaries.first { $0.rank == rank }
    }
}

/// A person whose care is reimbursed on the assuré's account.
public struct Beneficiary: Sendable, Hashable {
    public var rank: Int
    public var firstName: String
    public var birthDate: CivilDate
    public var complementaire: Complementaire?

    public init(rank: Int, firstName: String, birthDate: CivilDate, complementaire: Complementaire?) throws(DomainError) {
        guard (1...99).contains(rank) else {
            throw .invalid(field: "rang du bénéficiaire", reason: "doit être compris entre 1 et 99 (reçu \(rank))")
        }
        self.rank = rank
        self.firstName = try Text.clean(firstName, field: "prénom du bénéficiaire", maxLength: 80)
        self.birthDate = birthDate
        self.complementaire = complementaire
    }
}

/// The complementary insurer (organisme complémentaire) of a beneficiary, and whether the
/// electronic NOEMIE link sends it the reimbursement data directly.
public struct Complementaire: Sendable, Hashable {
    /// The organisme's identifier (e.g. its NOEMIE number or AMC number), ASCII, stable.
    public var code: String
    public var name: String
    public var noemieLinkActive: Bool

    public init(code: String, name: String, noemieLinkActive: Bool) throws(DomainError) {
        let bytes = Array(code.utf8)
        guard (1...20).contains(bytes.count),
            bytes.allSatisfy({ ASCII.isDigit($0) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) })
        else {
            throw .invalid(field: "code de la complémentaire", reason: "1 à 20 lettres ou chiffres sans accent attendus")
        }
        self.code = code
        self.name = try Text.clean(name, field: "nom de la complémentaire", maxLength: 80)
        self.noemieLinkActive = noemieLinkActive
    }
}

/// The declared médecin traitant; without one, consultations are "hors parcours" (30 %).
public struct DoctorDeclaration: Sendable, Hashable {
    public var name: String
    public var since: CivilDate

    public init(name: String, since: CivilDate) throws(DomainError) {
        self.name = try Text.clean(name, field: "médecin traitant", maxLength: 80)
        self.since = since
    }
}

/// The caisse primaire that manages the person's file.
public struct Caisse: Sendable, Hashable {
    /// Three digits, e.g. `751` for Paris.
    public var code: String
    public var name: String

    public init(code: String, name: String) throws(DomainError) {
        let bytes = Array(code.utf8)
        guard bytes.count == 3, bytes.allSatisfy(ASCII.isDigit) else {
            throw .invalid(field: "code caisse", reason: "trois chiffres attendus (reçu « \(code.prefix(20)) »)")
        }
        self.code = code
        self.name = try Text.clean(name, field: "nom de la caisse", maxLength: 80)
    }
}

/// Where letters go: up to four lines (building, street…), then postal code and city.
public struct PostalAddress: Sendable, Hashable {
    public var lines: [String]
    public var postalCode: String
    public var city: String

    public init(lines: [String], postalCode: String, city: String) throws(DomainError) {
        guard (1...4).contains(lines.count) else {
            throw .invalid(field: "adresse", reason: "de 1 à 4 lignes attendues avant le code postal (reçu \(lines.count))")
        }
        var cleaned: [String] = []
        for line in lines {
            cleaned.append(try Text.clean(line, field: "ligne d'adresse", maxLength: 80))
        }
        self.lines = cleaned
        let bytes = Array(postalCode.utf8)
        guard bytes.count == 5, bytes.allSatisfy(ASCII.isDigit) else {
            throw .invalid(field: "code postal", reason: "cinq chiffres attendus (reçu « \(postalCode.prefix(20)) »)")
        }
        self.postalCode = postalCode
        self.city = try Text.clean(city, field: "commune", maxLength: 60)
    }
}
