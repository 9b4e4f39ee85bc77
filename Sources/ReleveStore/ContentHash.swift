import Crypto
import ReleveDomain

/// A canonical fingerprint of a record's content, so that "the same reference with the same
/// content" (idempotent re-import) can be told from "the same reference with other content"
/// (a conflict) without comparing every column. Text fields are length-prefixed so that no
/// two different records share a canonical form.
public enum ContentHash {
    public static func of(_ payment: Payment) -> [UInt8] {
        var w = CanonicalWriter()
        w.text("P1")
        w.text(payment.reference)
        w.text(payment.nir.body)
        w.date(payment.date)
        w.text(payment.kind.rawValue)
        switch payment.payee {
        case .insured: w.text("A")
        case .professional(let name):
            w.text("T")
            w.text(name)
        }
        for line in payment.lines {
            w.text("L")
            w.date(line.careDate)
            w.int(Int64(line.beneficiaryRank))
            w.text(line.kind.rawValue)
            w.text(line.actCode)
            w.text(line.label)
            if let professional = line.professional { w.text(professional) } else { w.text("-") }
            w.int(Int64(line.quantity))
            w.int(line.paid.rawValue)
            w.int(line.base.rawValue)
            w.int(Int64(line.rate.basisPoints))
            w.int(line.reimbursed.rawValue)
            w.int(line.transmittedToComplementaire ? 1 : 0)
        }
        return w.digest()
    }

    public static func of(_ person: InsuredPerson) -> [UInt8] {
        var w = CanonicalWriter()
        w.text("A1")
        w.text(person.nir.body)
        w.text(person.lastName)
        w.text(person.firstNames)
        w.date(person.birthDate)
        w.int(Int64(person.address.lines.count))
        for line in person.address.lines { w.text(line) }
        w.text(person.address.postalCode)
        w.text(person.address.city)
        w.text(person.regime.rawValue)
        w.text(person.caisse.code)
        w.text(person.caisse.name)
        if let doctor = person.doctor {
            w.text(doctor.name)
            w.date(doctor.since)
        } else {
            w.text("-")
        }
        w.int(person.longTermCondition ? 1 : 0)
        for beneficiary in person.beneficiaries {
            w.text("B")
            w.int(Int64(beneficiary.rank))
            w.text(beneficiary.firstName)
            w.date(beneficiary.birthDate)
            if let c = beneficiary.complementaire {
                w.text(c.code)
                w.text(c.name)
                w.int(c.noemieLinkActive ? 1 : 0)
            } else {
                w.text("-")
            }
        }
        return w.digest()
    }
}

/// Appends fields as bytes: integers as 8 little-endian bytes, text as its UTF-8 length then bytes.
struct CanonicalWriter {
    private var bytes: [UInt8] = []

    init() {
        bytes.reserveCapacity(512)
    }

    mutating func int(_ value: Int64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func text(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            int(Int64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func date(_ value: CivilDate) {
        int(Int64(value.daysSinceEpoch))
    }

    func digest() -> [UInt8] {
        Array(SHA256.hash(data: bytes))
    }
}
