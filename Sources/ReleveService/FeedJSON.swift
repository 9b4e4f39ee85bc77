import Foundation
import ReleveDomain

/// One record of a feed, whatever its format.
enum FeedRecord {
    case person(InsuredPerson)
    case payment(Payment)
}

/// The JSON Lines form of the feed (docs/feed-format.md): one object per line, `"type"` being
/// `"assure"` or `"paiement"`. Keys are checked strictly: a missing, extra or mistyped field
/// is an error naming the field.
struct FeedJSONRecord: Decodable {
    let record: FeedRecord

    static let personKeys: Set<String> = [
        "type", "nir", "nom", "prenoms", "date_naissance", "adresse", "code_postal", "commune", "regime",
        "caisse_code", "caisse_nom", "medecin_traitant", "ald", "complementaire", "ayants_droit",
    ]
    static let paymentKeys: Set<String> = [
        "type", "reference", "nir", "date", "destinataire", "destinataire_nom", "nature", "lignes",
    ]
    static let lineKeys: Set<String> = [
        "date_soins", "rang_beneficiaire", "type", "code", "libelle", "professionnel", "quantite", "montant_paye",
        "base", "taux_pb", "rembourse", "transmis_complementaire",
    ]

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        let type = try c.decode(String.self, forKey: Key("type"))
        switch type {
        case "assure":
            try Self.checkKeys(c, Self.personKeys)
            record = .person(try Self.person(c))
        case "paiement":
            try Self.checkKeys(c, Self.paymentKeys)
            record = .payment(try Self.payment(c))
        default:
            throw DomainError.invalid(
                field: "type", reason: "« \(type.prefix(30)) » inconnu (« assure » ou « paiement » attendu)")
        }
    }

    private static func person(_ c: KeyedDecodingContainer<Key>) throws -> InsuredPerson {
        let nir = try NIR(parsing: c.decode(String.self, forKey: Key("nir")))
        let birthDate = try date(c, "date_naissance")
        let address = try PostalAddress(
            lines: c.decode([String].self, forKey: Key("adresse")), postalCode: c.decode(String.self, forKey: Key("code_postal")),
            city: c.decode(String.self, forKey: Key("commune")))
        var doctor: DoctorDeclaration?
        if try !c.decodeNil(forKey: Key("medecin_traitant")) {
            let d = try c.nestedContainer(keyedBy: Key.self, forKey: Key("medecin_traitant"))
            try checkKeys(d, ["nom", "depuis"])
            doctor = try DoctorDeclaration(name: d.decode(String.self, forKey: Key("nom")), since: date(d, "depuis"))
        }
        let firstNames = try c.decode(String.self, forKey: Key("prenoms"))
        var beneficiaries = [
            try Beneficiary(
                rank: 1, firstName: firstNames, birthDate: birthDate, complementaire: complementaire(c, "complementaire"))
        ]
        var dependants = try c.nestedUnkeyedContainer(forKey: Key("ayants_droit"))
        while !dependants.isAtEnd {
            let d = try dependants.nestedContainer(keyedBy: Key.self)
            try checkKeys(d, ["rang", "prenom", "date_naissance", "complementaire"])
            let rank = try d.decode(Int.self, forKey: Key("rang"))
            guard rank >= 2 else {
                throw DomainError.invalid(field: "rang", reason: "un ayant droit a un rang de 2 ou plus (le rang 1 est l'assuré)")
            }
            beneficiaries.append(
                try Beneficiary(
                    rank: rank, firstName: d.decode(String.self, forKey: Key("prenom")), birthDate: date(d, "date_naissance"),
                    complementaire: complementaire(d, "complementaire")))
        }
        return try InsuredPerson(
            nir: nir, lastName: c.decode(String.self, forKey: Key("nom")), firstNames: firstNames, birthDate: birthDate,
            address: address, regime: Regime(code: c.decode(String.self, forKey: Key("regime"))),
            caisse: Caisse(
                code: c.decode(String.self, forKey: Key("caisse_code")), name: c.decode(String.self, forKey: Key("caisse_nom"))),
            doctor: doctor, longTermCondition: c.decode(Bool.self, forKey: Key("ald")), beneficiaries: beneficiaries)
    }

    private static func complementaire(_ c: KeyedDecodingContainer<Key>, _ key: String) throws -> Complementaire? {
        if try c.decodeNil(forKey: Key(key)) { return nil }
        let d = try c.nestedContainer(keyedBy: Key.self, forKey: Key(key))
        try checkKeys(d, ["code", "nom", "noemie"])
        return try Complementaire(
            code: d.decode(String.self, forKey: Key("code")), name: d.decode(String.self, forKey: Key("nom")),
            noemieLinkActive: d.decode(Bool.self, forKey: Key("noemie")))
    }

    private static func payment(_ c: KeyedDecodingContainer<Key>) throws -> Payment {
        let reference = try c.decode(String.self, forKey: Key("reference"))
        let nir = try NIR(parsing: c.decode(String.self, forKey: Key("nir")))
        let paymentDate = try date(c, "date")
        let payee = try FeedValues.payee(
            c.decode(String.self, forKey: Key("destinataire")), c.decodeIfPresent(String.self, forKey: Key("destinataire_nom")))
        var lines: [PaymentLine] = []
        var items = try c.nestedUnkeyedContainer(forKey: Key("lignes"))
        while !items.isAtEnd {
            let l = try items.nestedContainer(keyedBy: Key.self)
            try checkKeys(l, lineKeys)
            do {
                lines.append(
                    try PaymentLine(
                        careDate: date(l, "date_soins"), beneficiaryRank: l.decode(Int.self, forKey: Key("rang_beneficiaire")),
                        kind: FeedValues.lineKind(l.decode(String.self, forKey: Key("type"))),
                        actCode: l.decode(String.self, forKey: Key("code")), label: l.decode(String.self, forKey: Key("libelle")),
                        professional: l.decodeIfPresent(String.self, forKey: Key("professionnel")),
                        quantity: l.decode(Int.self, forKey: Key("quantite")),
                        paid: Cents(l.decode(Int64.self, forKey: Key("montant_paye"))),
                        base: Cents(l.decode(Int64.self, forKey: Key("base"))),
                        rate: Rate(basisPoints: l.decode(Int.self, forKey: Key("taux_pb"))),
                        reimbursed: Cents(l.decode(Int64.self, forKey: Key("rembourse"))),
                        transmittedToComplementaire: l.decode(Bool.self, forKey: Key("transmis_complementaire"))))
            } catch let error as DomainError {
                throw DomainError.invalid(
                    field: "ligne \(lines.count + 1) du paiement, \(error.field)",
                    reason: error.message.droppingField(error.field))
            }
        }
        return try Payment(
            reference: reference, nir: nir, date: paymentDate, payee: payee,
            kind: FeedValues.paymentKind(c.decode(String.self, forKey: Key("nature"))),
            lines: lines)
    }

    private static func date(_ c: KeyedDecodingContainer<Key>, _ key: String) throws -> CivilDate {
        let text = try c.decode(String.self, forKey: Key(key))
        do {
            return try CivilDate(parsing: text)
        } catch {
            throw DomainError.invalid(field: key, reason: error.message.droppingField(error.field))
        }
    }

    private static func checkKeys(_ c: KeyedDecodingContainer<Key>, _ allowed: Set<String>) throws {
        for key in c.allKeys where !allowed.contains(key.stringValue) {
            throw DomainError.invalid(field: key.stringValue.prefix(40).description, reason: "champ inconnu")
        }
    }

    struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The French reason of a decoding failure, naming the field by its path.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context, _ last: CodingKey? = nil) -> String {
            let keys = context.codingPath + (last.map { [$0] } ?? [])
            let text = keys.map { key in key.intValue.map { "[\($0 + 1)]" } ?? key.stringValue }.joined(separator: ".")
                .replacingOccurrences(of: ".[", with: "[")
            return text.isEmpty ? "enregistrement" : "champ « \(text) »"
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context, key)) manquant"
        case .valueNotFound(_, let context):
            return "\(path(context)) : valeur vide (null) non admise"
        case .typeMismatch(let type, let context):
            return "\(path(context)) : type incorrect (\(expected(type)) attendu)"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "JSON invalide" }
            return "\(path(context)) : valeur invalide"
        @unknown default:
            return "enregistrement illisible"
        }
    }

    private static func expected(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "texte"
        case is Bool.Type: "true ou false"
        case is Int.Type, is Int64.Type: "nombre entier"
        case is [String].Type: "liste de textes"
        default: "objet ou liste"
        }
    }
}

/// The coded values shared by the JSON and CSV forms.
enum FeedValues {
    static func payee(_ kind: String, _ name: String?) throws(DomainError) -> Payment.Payee {
        switch kind {
        case "assure":
            guard name == nil || name == "" else {
                throw .invalid(field: "destinataire_nom", reason: "doit être vide quand le destinataire est l'assuré")
            }
            return .insured
        case "professionnel":
            guard let name, !name.isEmpty else {
                throw .invalid(field: "destinataire_nom", reason: "le nom du professionnel payé en tiers payant est obligatoire")
            }
            return .professional(name)
        default:
            throw .invalid(
                field: "destinataire", reason: "« \(kind.prefix(30)) » inconnu (« assure » ou « professionnel » attendu)")
        }
    }

    static func lineKind(_ text: String) throws(DomainError) -> PaymentLine.Kind {
        guard let kind = PaymentLine.Kind(rawValue: text) else {
            let known = PaymentLine.Kind.allCases.map(\.rawValue).joined(separator: ", ")
            throw .invalid(field: "type", reason: "« \(text.prefix(30)) » inconnu (\(known))")
        }
        return kind
    }

    static func paymentKind(_ text: String) throws(DomainError) -> Payment.Kind {
        guard let kind = Payment.Kind(rawValue: text) else {
            throw .invalid(field: "nature", reason: "« \(text.prefix(30)) » inconnue (« soins » ou « indemnites_journalieres »)")
        }
        return kind
    }
}

extension String {
    /// `"champ : raison"` → `"raison"`, to re-attach a reason to a more precise field name.
    func droppingField(_ field: String) -> String {
        hasPrefix(field + " : ") ? String(dropFirst(field.count + 3)) : self
    }
}
