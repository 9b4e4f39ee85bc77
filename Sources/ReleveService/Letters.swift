import Foundation
import ReleveDomain
import ReleveStore

/// The French texts of letters and e-mails. Letters carry the address block for a window
/// envelope; e-mails never carry a code, only links and notices.
enum Letters {
    static func addressBlock(_ person: InsuredPerson) -> String {
        ([person.fullName] + person.address.lines + ["\(person.address.postalCode) \(person.address.city.uppercased())"])
            .joined(separator: "\n")
    }

    static func date(_ seconds: Int64) -> String {
        CivilDate(unixSeconds: seconds).formattedLong
    }

    static func provisionalCode(
        person: InsuredPerson, code: ProvisionalCode, requestedOn: Date, expiresAt: Int64, policy: AccessPolicy
    ) -> NewLetter {
        let digits = Array(code.digits)
        let spaced = String(digits[0..<4]) + " " + String(digits[4..<8])
        let body = """
            \(person.caisse.name)

            Objet : votre code provisoire pour ouvrir votre compte Releve

            \(person.sex == .female ? "Madame" : "Monsieur"),

            Vous avez demandé le \(date(Int64(requestedOn.timeIntervalSince1970))) un code provisoire pour ouvrir votre compte Releve, ou pour en retrouver l'accès.

            Votre code provisoire : \(spaced)

            Il est valable \(policy.provisionalCodeValidity), jusqu'au \(date(expiresAt)), et ne sert qu'une fois.

            Pour l'utiliser, choisissez « Ouvrir mon compte » (ou, en ligne de commande : releve compte activer), puis saisissez votre numéro de sécurité sociale et ce code. Vous choisirez ensuite votre code personnel (8 à 13 chiffres), votre question secrète et votre adresse e-mail.

            Si vous n'êtes pas à l'origine de cette demande, ne tenez pas compte de ce courrier : votre code personnel actuel, si vous en avez un, continue de fonctionner.

            \(French.letterSignature)
            """
        return NewLetter(kind: .provisionalCode, recipient: addressBlock(person), body: body)
    }

    static func openingEmail(kind: AccountService.OpeningKind, person: InsuredPerson, link: String?, policy: AccessPolicy) -> (
        subject: String, body: String
    ) {
        let greeting = "Bonjour \(person.firstNames) \(person.lastName),"
        let confirm =
            link.map {
                "\n\nPour confirmer votre adresse e-mail, ouvrez ce lien dans les \(policy.emailLinkValidity) :\n\($0)\n\n(En ligne de commande : releve compte confirmer-email, puis collez ce lien.)"
            } ?? ""
        switch kind {
        case .new:
            return (
                "Votre compte Releve est ouvert",
                "\(greeting)\n\nVotre compte Releve est ouvert. Vos relevés mensuels seront désormais disponibles en ligne.\(confirm)\n\nSi vous n'êtes pas à l'origine de cette ouverture, contactez votre caisse d'assurance maladie.\n\n\(French.emailSignature)"
            )
        case .recovery:
            return (
                "Votre code personnel Releve a été réinitialisé",
                "\(greeting)\n\nVotre code personnel a été réinitialisé avec un code provisoire, et les connexions ouvertes ont été fermées.\(confirm)\n\nSi vous n'êtes pas à l'origine de ce changement, contactez immédiatement votre caisse d'assurance maladie.\n\n\(French.emailSignature)"
            )
        case .reopening:
            return (
                "Votre compte Releve est rouvert",
                "\(greeting)\n\nVotre compte Releve est de nouveau ouvert. Vos relevés seront disponibles en ligne à partir du mois prochain.\(confirm)\n\n\(French.emailSignature)"
            )
        }
    }

    static func codeChangedEmail(person: InsuredPerson, on: Date) -> (subject: String, body: String) {
        (
            "Votre code personnel Releve a été changé",
            "Bonjour \(person.firstNames) \(person.lastName),\n\nVotre code personnel a été changé le \(date(Int64(on.timeIntervalSince1970))). Les autres connexions ont été fermées.\n\nSi vous n'êtes pas à l'origine de ce changement, commandez immédiatement un code provisoire (Problème d'accès) et contactez votre caisse.\n\n\(French.emailSignature)"
        )
    }

    static func emailChangeConfirmation(person: InsuredPerson, link: String, policy: AccessPolicy) -> (
        subject: String, body: String
    ) {
        (
            "Confirmez votre nouvelle adresse e-mail Releve",
            "Bonjour \(person.firstNames) \(person.lastName),\n\nPour confirmer cette adresse e-mail, ouvrez ce lien dans les \(policy.emailLinkValidity) :\n\(link)\n\n\(French.emailSignature)"
        )
    }

    static func emailChangedNotice(person: InsuredPerson, newEmail: EmailAddress, on: Date) -> (subject: String, body: String) {
        (
            "Votre adresse e-mail Releve a été changée",
            "Bonjour \(person.firstNames) \(person.lastName),\n\nL'adresse e-mail de votre compte a été remplacée le \(date(Int64(on.timeIntervalSince1970))) par \(newEmail.masked).\n\nSi vous n'êtes pas à l'origine de ce changement, contactez immédiatement votre caisse d'assurance maladie.\n\n\(French.emailSignature)"
        )
    }

    static func salutation(_ person: InsuredPerson) -> String {
        person.sex == .female ? "Madame" : "Monsieur"
    }

    /// What cancelling changes, shown before the assuré confirms.
    static let cancellationConsequences = [
        "vos relevés mensuels vous seront de nouveau envoyés par courrier, y compris celui du mois en cours ;",
        "vous ne pourrez plus consulter vos paiements ni vos relevés en ligne, et toutes vos connexions seront fermées ;",
        "vos relevés déjà émis restent conservés par votre caisse : vous pourrez les retrouver si vous rouvrez votre compte ;",
        "vous pourrez rouvrir votre compte à tout moment en commandant un code provisoire.",
    ]

    static func cancellation(person: InsuredPerson, on: Date) -> NewLetter {
        let body = """
            \(person.caisse.name)

            Objet : résiliation de votre compte Releve

            \(salutation(person)),

            Nous vous confirmons la résiliation de votre compte Releve le \(date(Int64(on.timeIntervalSince1970))).

            Vos relevés mensuels vous sont de nouveau envoyés par courrier, à partir de celui du mois en cours. Vos relevés déjà émis restent conservés par votre caisse.

            Vous pouvez rouvrir votre compte à tout moment : commandez un code provisoire (« Je n'ai pas encore de compte », ou en ligne de commande : releve compte code-provisoire) ; vous le recevrez par courrier.

            Si vous n'êtes pas à l'origine de cette résiliation, contactez votre caisse d'assurance maladie.

            \(French.letterSignature)
            """
        return NewLetter(kind: .cancellation, recipient: addressBlock(person), body: body)
    }

    static func cancellationEmail(person: InsuredPerson, on: Date) -> (subject: String, body: String) {
        (
            "Votre compte Releve est résilié",
            "Bonjour \(person.firstNames) \(person.lastName),\n\nVotre compte Releve a été résilié le \(date(Int64(on.timeIntervalSince1970))). Vos relevés vous seront de nouveau envoyés par courrier, à partir de celui du mois en cours. Une confirmation vous est aussi adressée par courrier.\n\nSi vous n'êtes pas à l'origine de cette résiliation, contactez votre caisse d'assurance maladie.\n\n\(French.emailSignature)"
        )
    }

    static func duplicataCover(person: InsuredPerson, month: Month, reference: String, requestedOn: Date) -> NewLetter {
        let body = """
            \(person.caisse.name)

            Objet : duplicata de votre relevé \(month.withDe)

            \(salutation(person)),

            Vous avez demandé le \(date(Int64(requestedOn.timeIntervalSince1970))) un duplicata papier de votre relevé mensuel \(month.withDe) (référence \(reference)).

            Vous le trouverez ci-joint. Chaque page porte la mention « DUPLICATA » ; son contenu est celui du relevé archivé, dont l'empreinte figure en bas de chaque page.

            \(French.letterSignature)
            """
        return NewLetter(kind: .duplicata, recipient: addressBlock(person), body: body)
    }

    static func postalStatement(person: InsuredPerson, month: Month, reference: String) -> NewLetter {
        NewLetter(
            kind: .monthlyStatement, recipient: addressBlock(person),
            body: "Relevé mensuel \(month.withDe), référence \(reference) (imprimé depuis l'archive)")
    }

    static func statementNotice(firstNames: String, lastName: String, month: Month, link: String) -> (
        subject: String, body: String
    ) {
        (
            "Votre relevé \(month.withDe) est disponible",
            "Bonjour \(firstNames) \(lastName),\n\nVotre relevé mensuel de remboursements \(month.withDe) est disponible dans votre espace Releve :\n\(link)\n\n(En ligne de commande : releve releves telecharger \(month) --sortie releve-\(month).pdf)\n\nPour des raisons de confidentialité, il n'est pas joint à ce message.\n\n\(French.emailSignature)"
        )
    }

    /// The terms of use shown before opening an account (seed, 2010 terms, kept as the rules).
    static let termsOfUse = """
        Conditions d'utilisation du compte Releve

        Avec votre compte Releve :
        • vous consultez tous vos paiements sur les derniers mois, en vue synthétique ou détaillée ;
        • vous vérifiez votre situation concernant la déclaration d'un médecin traitant ;
        • vous consultez et archivez en ligne un relevé mensuel récapitulant vos remboursements ;
        • vous ne recevez plus vos relevés de remboursement par courrier postal.
          Cas particulier : si l'un de vos bénéficiaires a une complémentaire santé qui ne reçoit pas
          vos remboursements par voie électronique (NOEMIE), vous continuez à recevoir vos relevés par courrier ;
        • vous pouvez à tout moment obtenir un duplicata papier d'un relevé ;
        • vous pouvez à tout moment résilier votre compte et recevoir de nouveau vos relevés par courrier.

        Votre code personnel (8 à 13 chiffres) est secret : ne le communiquez à personne, pas même à votre caisse.
        Votre adresse e-mail sert à vous prévenir ; aucun code ne vous sera jamais demandé par e-mail.
        """
}

extension AccountService {
    public static var termsOfUse: String { Letters.termsOfUse }
}
