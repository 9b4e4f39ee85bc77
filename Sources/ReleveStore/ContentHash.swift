import Crypto
import ReleveDomain

/// A canonical fingerprint of a record's content, so that "the same reference with the same
/// content" (idempotent re-import) can be told from "the same reference with other content"
/// (a conflict) without comparing every column.
enum ContentHash {
    static func of(_ payment: Payment) -> [UInt8] {
        var text = "P1|\(payment.reference)|\(payment.nir.body)|\(payment.date)|\(payment.kind.rawValue)|"
        switch payment.payee {
        case .insured: text += "A|"
        case .professional(let name): text += "T:\(name.count):\(name)|"
        }
        for line in payment.lines {
            text += "L|\(line.careDate)|\(line.beneficiaryRank)|\(line.kind.rawValue)|\(line.actCode)|"
            text += "\(line.label.utf8.count):\(line.label)|"
            if let professional = line.professional {
                text += "\(professional.utf8.count):\(professional)|"
            } else {
                text += "-|"
            }
            text += "\(line.quantity)|\(line.paid.rawValue)|\(line.base.rawValue)|\(line.rate.basisPoints)|"
            text += "\(line.reimbursed.rawValue)|\(line.transmittedToComplementaire ? 1 : 0)|"
        }
        return Array(SHA256.hash(data: Array(text.utf8)))
    }

    static func of(_ person: InsuredPerson) -> [UInt8] {
        var text = "A1|\(person.nir.body)|\(field(person.lastName))\(field(person.firstNames))\(person.birthDate)|"
        for line in person.address.lines { text += field(line) }
        text += "\(person.address.postalCode)|\(field(person.address.city))\(person.regime.rawValue)|"
        text += "\(person.caisse.code)|\(field(person.caisse.name))"
        if let doctor = person.doctor { text += "\(field(doctor.name))\(doctor.since)|" } else { text += "-|" }
        text += person.longTermCondition ? "1|" : "0|"
        for beneficiary in person.beneficiaries {
            text += "B|\(beneficiary.rank)|\(field(beneficiary.firstName))\(beneficiary.birthDate)|"
            if let c = beneficiary.complementaire {
                text += "\(c.code)|\(field(c.name))\(c.noemieLinkActive ? 1 : 0)|"
            } else {
                text += "-|"
            }
        }
        return Array(SHA256.hash(data: Array(text.utf8)))
    }

    private static func field(_ value: String) -> String {
        "\(value.utf8.count):\(value)|"
    }
}
