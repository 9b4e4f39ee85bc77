/// The one home of French wording that more than one face prints: numbers, short months,
/// labels of statuses and kinds, the letters' signature. Amounts (`Cents.formatted`), rates,
/// dates and months keep their format on their own type; everything here builds on those.
public enum French {
    /// `1 234 567`, with a narrow no-break space (U+202F) between thousands.
    public static func number(_ value: some BinaryInteger) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { grouped.append("\u{202F}") }
            grouped.append(character)
        }
        return (value < 0 ? "-" : "") + grouped
    }

    /// `janv. 05`: the month of a chart's bar or a compact table (two-digit year).
    public static func shortMonth(_ month: Month) -> String {
        let year = month.year % 100
        return "\(shortMonthNames[month.month - 1]) \(year < 10 ? "0" : "")\(year)"
    }

    static let shortMonthNames = [
        "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.",
    ]

    /// `1 min`, `2 h 05 min`: a delay on a clock (lock messages).
    public static func clockDuration(seconds: Int64) -> String {
        let s = max(seconds, 1)
        if s < 60 { return "\(s) seconde\(s > 1 ? "s" : "")" }
        let minutes = (s + 59) / 60
        if minutes < 60 { return "\(minutes) minute\(minutes > 1 ? "s" : "")" }
        let hours = minutes / 60
        let rest = minutes % 60
        return rest == 0 ? "\(hours) h" : "\(hours) h \(CivilDate.twoDigits(Int(rest))) min"
    }

    /// `15 minutes`, `24 heures`, `15 jours`: a period a rule states, in words.
    public static func duration(seconds: Int) -> String {
        if seconds >= 2 * 86_400 && seconds % 86_400 == 0 { return count(seconds / 86_400, "jour") }
        if seconds >= 3_600 && seconds % 3_600 == 0 { return count(seconds / 3_600, "heure") }
        if seconds >= 60 && seconds % 60 == 0 { return count(seconds / 60, "minute") }
        return count(seconds, "seconde")
    }

    /// `2 €` for whole euros, `0,50 €` otherwise: amounts quoted in a sentence.
    public static func euros(_ amount: Cents) -> String {
        amount.rawValue % 100 == 0 ? "\(number(amount.rawValue / 100))\u{00A0}€" : amount.formatted
    }

    /// `0 courrier`, `1 courrier`, `2 courriers`, the number grouped (French: singular below 2).
    /// `0 octet`, `812 octets`, `15 ko`, `3,4 Mo`, `1,96 Go` (powers of 1 024, the units of `du -h`).
    public static func bytes(_ value: Int64) -> String {
        if value < 1024 { return count(Int(value), "octet") }
        let units = ["ko", "Mo", "Go", "To"]
        var amount = Double(value) / 1024
        var unit = 0
        while amount >= 1024 && unit < units.count - 1 {
            amount /= 1024
            unit += 1
        }
        // Three significant digits at most, trailing zeros dropped: 3,4 Mo; 15 ko; 812 ko.
        let scale = amount < 10 ? 100 : amount < 100 ? 10 : 1
        let scaled = Int((amount * Double(scale)).rounded())
        var text = String(scaled / scale)
        var fraction = scale > 1 ? String(scaled % scale) : ""
        while fraction.count < String(scale).count - 1 { fraction = "0" + fraction }
        while fraction.hasSuffix("0") { fraction.removeLast() }
        if !fraction.isEmpty { text += "," + fraction }
        return text + "\u{00A0}" + units[unit]
    }

    public static func count(_ value: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(number(value)) \(value >= 2 ? plural ?? singular + "s" : singular)"
    }

    /// `de Jean`, `d'Anna`, `d'Émile`: « de » with elision before a vowel sound (a mute « h »
    /// cannot be told from an aspirated one by spelling, so « h » keeps « de »).
    public static func de(_ word: String) -> String {
        guard let first = word.first else { return "de" }
        let vowels = "aeiouyàâäéèêëîïôöùûüœæAEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜŒÆ"
        return vowels.contains(first) ? "d'" + word : "de " + word
    }

    /// `Mois : de 1 à 27` from `mois : de 1 à 27`: a message shown on its own starts with a capital.
    public static func sentence(_ text: String) -> String {
        text.prefix(1).uppercased() + text.dropFirst()
    }

    /// `d'Anna`, `d'Anna et de Hugo`, `de Léa, d'Anna et de Hugo`: each name with its « de ».
    public static func de(list words: [String]) -> String {
        let each = words.map(de)
        guard let last = each.last else { return "" }
        return each.count == 1 ? last : each.dropLast().joined(separator: ", ") + " et " + last
    }

    /// `1 paiement`, `0 paiement`, `2 paiements`: French counts take the singular below 2.
    public static func plural(_ value: Int, _ singular: String, _ plural: String) -> String {
        value >= 2 ? plural : singular
    }

    /// The signature closing every postal letter to an assuré.
    public static let letterSignature = "Votre caisse d'assurance maladie"
    /// The signature closing every e-mail.
    public static let emailSignature = "Releve — ce message est automatique, merci de ne pas y répondre."

    /// Lowercase hexadecimal of a digest (SHA-256 and the like).
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

extension Letter.Kind {
    public var french: String {
        switch self {
        case .provisionalCode: "code provisoire"
        case .monthlyStatement: "relevé mensuel"
        case .duplicata: "duplicata"
        case .cancellation: "confirmation de résiliation"
        }
    }
}

extension Letter.Status {
    /// The status as the assuré and the operator read it.
    public var french: String {
        switch self {
        case .pending: "en attente"
        case .printed: "imprimé"
        case .posted: "posté"
        }
    }
}

/// The sentences that state an access rule, computed from the policy in force: change a value
/// of `AccessPolicy` and every message, page, letter and e-mail follows.
extension AccessPolicy {
    /// `15 jours`.
    public var provisionalCodeValidity: String { French.count(provisionalCodeDays, "jour") }
    /// `24 heures`.
    public var emailLinkValidity: String { French.duration(seconds: emailTokenSeconds) }
    /// `15 minutes sans activité, ou 12 heures au plus`.
    public var sessionLimits: String {
        "\(French.duration(seconds: sessionIdleSeconds)) sans activité, ou \(French.duration(seconds: sessionAbsoluteSeconds)) au plus"
    }
    /// How long the post takes to deliver a provisional code (La Poste's figure, not a rule of ours).
    public static let postalDelay = "7 à 12 jours"
    /// `3 demandes par jour au plus`.
    public var provisionalRequestsLimit: String {
        "\(French.count(provisionalRequestsPerDay, "demande")) par jour au plus"
    }
}

/// The sentences that state a tariff rule, computed from the table for the date they speak of.
extension TariffTable {
    /// The general practitioner's consultation on `date`: its base and rate in the care pathway.
    public func consultation(on date: CivilDate) -> Tariff? {
        tariff(code: "G", on: date) ?? tariff(code: "C", on: date)
    }

    /// `30 % au lieu de 70 %`.
    public func outsidePathwayRates(on date: CivilDate) -> String {
        let inPathway = consultation(on: date)?.rate ?? Rate(percent: 70)
        return "\(Self.outsideCarePathwayRate.formatted) au lieu de \(inPathway.formatted)"
    }

    /// `pour une consultation à 30 €, 9,00 € au lieu de 21,00 €`.
    public func outsidePathwayExample(on date: CivilDate) -> String? {
        guard let consultation = consultation(on: date) else { return nil }
        let outside = consultation.base.applying(Self.outsideCarePathwayRate)
        let inside = consultation.base.applying(consultation.rate)
        return "pour une consultation à \(French.euros(consultation.base)), \(outside.formatted) au lieu de \(inside.formatted)"
    }

    /// What the médecin traitant changes, for an assuré who has one.
    public func inCarePathwayNote(on date: CivilDate) -> String {
        let inPathway = consultation(on: date)?.rate ?? Rate(percent: 70)
        return
            "Vous êtes dans le parcours de soins coordonnés : vos consultations sont remboursées à \(inPathway.formatted) de la base (\(Self.outsideCarePathwayRate.formatted) seulement hors parcours, par exemple chez un autre médecin sans être orienté)."
    }

    /// What the médecin traitant changes, for an assuré who has none.
    public func outsideCarePathwayNote(on date: CivilDate) -> String {
        let inPathway = consultation(on: date)?.rate ?? Rate(percent: 70)
        let example = outsidePathwayExample(on: date).map { " : \($0)" } ?? ""
        return
            "Hors parcours de soins, vos consultations sont remboursées à \(Self.outsideCarePathwayRate.formatted) de la base au lieu de \(inPathway.formatted)\(example). Déclarez un médecin traitant : il fait la déclaration en ligne lors d'une consultation."
    }

    /// The statement's note on what stays at the assuré's charge, as the rules stood at the end
    /// of `month`: amounts, the dates they took effect, the yearly cap.
    public func deductionsNote(for month: Month) -> String {
        let day = month.lastDay
        var parts: [String] = []
        if let participation = flatParticipation.last(where: { $0.effective <= day }) {
            parts.append(
                "La participation forfaitaire (\(French.euros(participation.amount)) par consultation depuis le \(participation.effective.formattedLong))"
            )
        }
        if let franchise = franchisePerUnit.last(where: { $0.effective <= day }) {
            parts.append(
                "les franchises médicales (\(French.euros(franchise.amount)) par boîte de médicaments ou acte paramédical depuis le \(franchise.effective.formattedLong), \(French.euros(Self.yearlyDeductionCap)) par an au plus)"
            )
        }
        guard !parts.isEmpty else { return "" }
        return parts.joined(separator: " et ")
            + " restent à votre charge ; quand vous n'avez rien avancé (tiers payant), elles sont déduites d'un remboursement suivant."
    }
}

/// Audit events as the operator reads them; `kind` and `outcome` stay the stable English keys
/// of the trail (and of `admin audit --format json`).
extension AuditEvent {
    static let kinds: [String: String] = [
        "account_opening": "ouverture de compte", "account_reopening": "réouverture de compte",
        "recovery": "réinitialisation du code", "authz_fail": "accès refusé à un objet d'un autre assuré",
        "cancellation": "résiliation", "code_change": "changement de code", "duplicata": "duplicata",
        "email_change": "changement d'e-mail", "email_confirmation": "confirmation d'e-mail",
        "excess_rate_limit_exceeded": "trop de tentatives depuis une adresse", "insurer_export": "export complémentaire",
        "lockout": "blocage", "login": "connexion", "logout": "déconnexion", "maintenance": "maintenance",
        "print_batch": "lot d'impression", "provisional_code_check": "vérification de code provisoire",
        "provisional_code_request": "demande de code provisoire", "setting": "réglage",
    ]

    static let outcomes: [String: String] = [
        "success": "réussite", "failure": "échec", "issued": "code émis", "no_match": "informations non reconnues",
        "other_regime": "autre régime", "rate_limited": "trop de demandes", "refused_closed": "refusé (compte résilié)",
        "refused_locked": "refusé (compte bloqué)", "wrong_code": "code incorrect",
        "wrong_secret_answer": "réponse secrète incorrecte", "too_many_attempts": "trop d'essais",
        "no_active_code": "aucun code provisoire actif", "code_check_refused": "vérification refusée",
        "expired_token": "lien expiré", "reused_token": "lien déjà utilisé", "superseded_token": "lien remplacé",
        "unknown_token": "lien inconnu", "temporary": "temporaire", "until_recovery": "jusqu'à un code provisoire",
        "success_after_code_change": "réussite (code changé)", "duplicata_quota": "quota atteint",
        "foreign_payment": "paiement d'un autre assuré", "printed": "imprimé", "posted": "posté", "written": "écrit",
        "already_pending": "déjà demandé", "over_quota": "quota atteint", "requested": "demandé",
    ]

    /// `connexion`, `demande de code provisoire`… (the key itself when this Releve has no label).
    public var frenchKind: String { Self.kinds[kind] ?? kind }
    /// `réussite`, `code incorrect`…
    public var frenchOutcome: String { outcome.isEmpty ? "" : Self.outcomes[outcome] ?? outcome }
}

extension Beneficiary {
    /// `Mutuelle X (reçoit vos remboursements par NOEMIE)`, `… (pas de liaison NOEMIE)`, or
    /// `pas de complémentaire connue`: the same words on the pages and in the CLI.
    public var complementaireFrench: String {
        guard let complementaire else { return "pas de complémentaire connue" }
        return complementaire.name
            + (complementaire.noemieLinkActive ? " (reçoit vos remboursements par NOEMIE)" : " (pas de liaison NOEMIE)")
    }
}
