import Foundation
import ReleveDomain
import ReleveStore

/// Opening an account with a provisional code, recovering access to one, reopening a cancelled
/// one, and confirming the e-mail address.
extension AccountService {
    /// What a valid provisional code opens: a new account, a recovery of an active one (the
    /// secret answer is then checked too), or the reopening of a cancelled one.
    public enum OpeningKind: String, Sendable {
        case new, recovery, reopening
    }

    public struct ProvisionalCheck: Sendable {
        public let kind: OpeningKind
        public let fullName: String
        /// For a recovery: the question to answer.
        public let question: SecretQuestion?
        let personID: InsuredPerson.ID
        let codeID: StoredProvisionalCode.ID
        let context: AccountContext
    }

    /// Checks NIR + provisional code (counting wrong tries) and says what it will open.
    public func checkProvisionalCode(nir nirText: String, code codeText: String, channel: Channel, now: Date) async throws
        -> ProvisionalCheck
    {
        try await checkProvisionalCode(nir: nirText, code: codeText, channel: channel, now: now, keepAttempt: false)
    }

    /// Each try is counted before the code is checked (one atomic step: parallel tries never
    /// get past `provisionalCodeMaxAttempts`); a right code gives its try back unless
    /// `keepAttempt` (the opening, which then uses the code or refunds it itself).
    func checkProvisionalCode(nir nirText: String, code codeText: String, channel: Channel, now: Date, keepAttempt: Bool)
        async throws -> ProvisionalCheck
    {
        try await checkMaintenance()
        let nir = try parse { try NIR(parsing: nirText) }
        let code = try parse { try ProvisionalCode(codeText) }
        let at = Self.seconds(now)
        guard let context = try await store.accountContext(nir: nir),
            let stored = try await store.activeProvisionalCode(personID: context.person.id, now: at)
        else {
            try await verifyNothing(code.digits)
            try await store.appendAudit(
                AuditEvent(
                    at: at, kind: "provisional_code_check", outcome: "no_active_code", subject: nir.masked,
                    channel: channel.rawValue))
            throw ServiceError.provisionalCodeRejected(validity: policy.provisionalCodeValidity)
        }
        guard try await store.reserveProvisionalCodeAttempt(id: stored.id, maximum: policy.provisionalCodeMaxAttempts) else {
            try await store.appendAudit(
                AuditEvent(
                    at: at, kind: "provisional_code_check", outcome: "too_many_attempts", subject: nir.masked,
                    channel: channel.rawValue))
            throw ServiceError.provisionalCodeRejected(validity: policy.provisionalCodeValidity)
        }
        let right: Bool
        do {
            right = try await verify(code.digits, against: stored.codeHash)
        } catch ServiceError.overloaded {
            try await store.refundProvisionalCodeAttempt(id: stored.id)
            throw ServiceError.overloaded
        }
        guard right else {
            try await store.appendAudit(
                AuditEvent(
                    at: at, kind: "provisional_code_check", outcome: "wrong_code", subject: nir.masked, channel: channel.rawValue)
            )
            throw ServiceError.provisionalCodeRejected(validity: policy.provisionalCodeValidity)
        }
        if !keepAttempt { try await store.refundProvisionalCodeAttempt(id: stored.id) }
        let kind: OpeningKind
        switch context.account?.status {
        case nil: kind = .new
        case .active: kind = .recovery
        case .closed: kind = .reopening
        }
        return ProvisionalCheck(
            kind: kind, fullName: context.person.person.fullName,
            question: kind == .recovery ? context.account.flatMap { SecretQuestion(rawValue: $0.question) } : nil,
            personID: context.person.id, codeID: stored.id, context: context)
    }

    public struct OpeningRequest: Sendable {
        public var nir: String
        public var provisionalCode: String
        public var acceptedTerms: Bool
        public var personalCode: String
        public var personalCodeConfirmation: String
        public var question: Int
        public var answer: String
        public var answerConfirmation: String
        public var email: String

        public init(
            nir: String, provisionalCode: String, acceptedTerms: Bool, personalCode: String, personalCodeConfirmation: String,
            question: Int, answer: String, answerConfirmation: String, email: String
        ) {
            self.nir = nir
            self.provisionalCode = provisionalCode
            self.acceptedTerms = acceptedTerms
            self.personalCode = personalCode
            self.personalCodeConfirmation = personalCodeConfirmation
            self.question = question
            self.answer = answer
            self.answerConfirmation = answerConfirmation
            self.email = email
        }
    }

    public struct OpeningResult: Sendable, Equatable {
        public let kind: OpeningKind
        public let maskedEmail: String
        /// Whether the e-mail carries a confirmation link (not when the address was already
        /// confirmed, as after a recovery with the same address).
        public let confirmationSent: Bool

        /// What happened, for the assuré (the same words on every face).
        public var message: String {
            switch kind {
            case .new: "Votre compte est ouvert."
            case .recovery:
                "Votre nouveau code personnel est enregistré et votre compte débloqué ; les connexions ouvertes ont été fermées."
            case .reopening: "Votre compte est rouvert : vos relevés seront de nouveau en ligne à partir du mois prochain."
            }
        }

        /// What the e-mail sent asks of the assuré.
        public var nextStep: String {
            confirmationSent
                ? "Un e-mail a été envoyé à \(maskedEmail) : ouvrez le lien qu'il contient pour confirmer votre adresse."
                : "Un e-mail de confirmation a été envoyé à \(maskedEmail) (adresse déjà confirmée : rien d'autre à faire)."
        }
    }

    /// Opens the account (or recovers or reopens it) in one step, all or nothing. The terms must
    /// be accepted; the provisional code is checked again; the personal code follows the
    /// policy; for a recovery, the question and answer must match the account's.
    public func openAccount(_ request: OpeningRequest, channel: Channel, now: Date) async throws -> OpeningResult {
        try await checkMaintenance()
        guard request.acceptedTerms else {
            throw ServiceError.termsRefused
        }
        // Values first: a typing mistake must not spend one of the provisional code's tries.
        let code = try parse { try PersonalCode(request.personalCode) }
        guard request.personalCode == request.personalCodeConfirmation else {
            throw ServiceError.invalidValue(.invalid(field: "code personnel", reason: "les deux saisies sont différentes"))
        }
        let question = try parse { try SecretQuestion(number: request.question) }
        let answer = try parse { try SecretQuestion.normalise(request.answer) }
        guard (try? SecretQuestion.normalise(request.answerConfirmation)) == answer else {
            throw ServiceError.invalidValue(.invalid(field: "réponse secrète", reason: "les deux saisies sont différentes"))
        }
        let email = try parse { try EmailAddress(request.email) }
        let nir = try parse { try NIR(parsing: request.nir) }
        let provisional = try parse { try ProvisionalCode(request.provisionalCode) }
        let check = try await checkProvisionalCode(
            nir: request.nir, code: request.provisionalCode, channel: channel, now: now, keepAttempt: true)
        let person = check.context.person.person
        let at = Self.seconds(now)
        let opening: AccountOpening
        let token: String?
        do {
            do {
                try parse { try CodePolicy.check(code, nir: nir, birthDate: person.birthDate, provisionalCode: provisional) }
            } catch {
                // A code the policy refuses is a typing matter: the provisional code's try is given back.
                try await store.refundProvisionalCodeAttempt(id: check.codeID)
                throw error
            }
            if check.kind == .recovery, let account = check.context.account {
                guard account.question == question.rawValue, try await verify(answer, against: account.answerHash) else {
                    // The provisional code's try stays counted.
                    try await store.appendAudit(
                        AuditEvent(
                            at: at, kind: "recovery", outcome: "wrong_secret_answer", subject: nir.masked,
                            channel: channel.rawValue
                        ))
                    throw ServiceError.secretAnswerMismatch
                }
            }
            let alreadyConfirmed = check.context.account.map { $0.emailConfirmed && $0.email == email.value } ?? false
            token = alreadyConfirmed ? nil : Token.generate()
            opening = AccountOpening(
                nir: nir, personID: check.personID, provisionalCodeID: check.codeID, codeHash: try await hash(code.digits),
                question: question.rawValue, answerHash: try await hash(answer), email: email.value,
                emailToken: token.map { (Token.hash($0), at + Int64(policy.emailTokenSeconds)) }, at: at)
        } catch ServiceError.overloaded {
            try await store.refundProvisionalCodeAttempt(id: check.codeID)
            throw ServiceError.overloaded
        }
        let outcome = try await store.openAccount(
            opening,
            audit: AuditEvent(
                at: at,
                kind: check.kind == .new ? "account_opening" : (check.kind == .recovery ? "recovery" : "account_reopening"),
                outcome: "success", subject: nir.masked, channel: channel.rawValue))
        switch outcome {
        case .opened: break
        case .provisionalCodeAlreadyUsed: throw ServiceError.provisionalCodeRejected(validity: policy.provisionalCodeValidity)
        }
        let message = Letters.openingEmail(
            kind: check.kind, person: person, link: token.map(confirmationLink), policy: policy)
        try mail.send(to: email, subject: message.subject, body: message.body, now: now)
        return OpeningResult(kind: check.kind, maskedEmail: email.masked, confirmationSent: token != nil)
    }

    func confirmationLink(_ token: String) -> String {
        "\(publicURL)/compte/email/confirmer?jeton=\(token)"
    }

    /// Uses an e-mail confirmation link (or its token alone).
    public func confirmEmail(linkOrToken: String, channel: Channel, now: Date) async throws -> String {
        try await checkMaintenance()
        var token = linkOrToken.trimmingCharacters(in: .whitespacesAndNewlines)
        // The link, the token alone, or the whole e-mail: the token is what follows "jeton=".
        if let range = token.range(of: "jeton=") {
            token = String(
                token[range.upperBound...].prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        }
        let rejected = "Lien de confirmation inconnu. Copiez le lien complet reçu par e-mail."
        guard Token.isWellFormed(token) else { throw ServiceError.emailLinkRejected(rejected) }
        switch try await store.confirmEmail(tokenHash: Token.hash(token), at: Self.seconds(now), channel: channel.rawValue) {
        case .confirmed(_, let email):
            return "Adresse e-mail confirmée : \((try? EmailAddress(email))?.masked ?? email)."
        case .unknown:
            throw ServiceError.emailLinkRejected(rejected)
        case .alreadyUsed:
            // Clicking twice is not a mistake: the address is confirmed.
            return "Ce lien a déjà servi : votre adresse est confirmée, rien d'autre à faire."
        case .superseded:
            throw ServiceError.emailLinkRejected(
                "Lien expiré ou déjà utilisé : l'adresse e-mail du compte a changé depuis son envoi. Utilisez le lien du dernier e-mail reçu."
            )
        case .expired:
            throw ServiceError.emailLinkRejected(
                "Ce lien a expiré (il est valable \(policy.emailLinkValidity)). Changez votre adresse e-mail depuis votre compte pour en recevoir un nouveau."
            )
        }
    }
}
