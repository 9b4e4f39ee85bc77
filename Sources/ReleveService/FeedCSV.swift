import Foundation
import ReleveDomain

/// The CSV form of the payments feed (docs/feed-format.md): RFC 4180, comma-separated, one row
/// per payment line, the payment's columns repeated on each of its rows (rows of one payment
/// are consecutive). Amounts are integer cents, rates integer basis points.
enum PaymentCSV {
    static let columns = [
        "reference", "nir", "date_paiement", "destinataire", "destinataire_nom", "nature", "date_soins",
        "rang_beneficiaire", "type", "code", "libelle", "professionnel", "quantite", "montant_paye", "base",
        "taux_pb", "rembourse", "transmis_complementaire",
    ]
    static let header = columns.joined(separator: ",")

    /// Checks the header line; the French reason when it is not the expected one.
    static func checkHeader(_ row: CSVRow) -> String? {
        let found = (0..<row.count).map { row.rawText($0) }
        if found == columns { return nil }
        let missing = columns.filter { !found.contains($0) }
        let extra = found.filter { !columns.contains($0) }
        var parts: [String] = []
        if !missing.isEmpty { parts.append("colonnes manquantes : \(missing.joined(separator: ", "))") }
        if !extra.isEmpty { parts.append("colonnes en trop : \(extra.map { $0.prefix(40) }.joined(separator: ", "))") }
        if parts.isEmpty { parts.append("colonnes dans le désordre") }
        return "en-tête incorrect (\(parts.joined(separator: " ; "))) ; en-tête attendu : \(header)"
    }

    /// The payment columns of a row (1 to 5), as raw bytes, to check that every row of a
    /// payment repeats the same ones.
    static func paymentColumns(_ row: CSVRow) -> ArraySlice<UInt8> {
        row.bytes(from: 1, through: 5)
    }

    static func paymentHeader(_ row: CSVRow) throws(DomainError) -> (NIR, CivilDate, Payment.Payee, Payment.Kind) {
        let nir = try NIR(parsing: row.text(1, "nir"))
        let date = try row.date(2, "date_paiement")
        let payee = try FeedValues.payee(row.text(3, "destinataire"), row.optionalText(4, "destinataire_nom"))
        let kind = try FeedValues.paymentKind(row.text(5, "nature"))
        return (nir, date, payee, kind)
    }

    static func line(_ row: CSVRow) throws(DomainError) -> PaymentLine {
        try PaymentLine(
            careDate: row.date(6, "date_soins"), beneficiaryRank: Int(row.integer(7, "rang_beneficiaire")),
            kind: FeedValues.lineKind(row.text(8, "type")), actCode: row.text(9, "code"), label: row.text(10, "libelle"),
            professional: row.optionalText(11, "professionnel"), quantity: Int(row.integer(12, "quantite")),
            paid: Cents(row.integer(13, "montant_paye")), base: Cents(row.integer(14, "base")),
            rate: Rate(basisPoints: Int(row.integer(15, "taux_pb"))), reimbursed: Cents(row.integer(16, "rembourse")),
            transmittedToComplementaire: row.bool(17, "transmis_complementaire"))
    }
}

/// One CSV row split into fields per RFC 4180 (quotes, doubled quotes). A quoted field may not
/// span lines: feeds hold no line breaks inside values.
struct CSVRow {
    private(set) var storage: [UInt8] = []
    private(set) var bounds: [Range<Int>] = []
    /// Whether the whole row is ASCII, hence valid UTF-8 field by field without checking.
    private(set) var isASCII = false

    var count: Int { bounds.count }

    /// Splits `line`; returns the French reason if the quoting is broken.
    mutating func parse(_ line: UnsafeBufferPointer<UInt8>) -> String? {
        storage.removeAll(keepingCapacity: true)
        bounds.removeAll(keepingCapacity: true)
        guard let base = line.baseAddress else {
            bounds.append(0..<0)
            return nil
        }
        // Fast path, by far the most common: no quote at all, fields are the spans between commas.
        if memchr(base, 0x22, line.count) == nil {
            storage.append(contentsOf: line)
            isASCII = Self.allASCII(line)
            var start = 0
            while let comma = memchr(base + start, 0x2C, line.count - start) {
                let end = base.distance(to: comma.assumingMemoryBound(to: UInt8.self))
                bounds.append(start..<end)
                start = end + 1
            }
            bounds.append(start..<line.count)
            return nil
        }
        isASCII = Self.allASCII(line)
        var index = 0
        let n = line.count
        while true {
            let fieldStart = storage.count
            if index < n && line[index] == 0x22 {
                index += 1
                var closed = false
                while index < n {
                    let byte = line[index]
                    if byte == 0x22 {
                        if index + 1 < n && line[index + 1] == 0x22 {
                            storage.append(0x22)
                            index += 2
                            continue
                        }
                        index += 1
                        closed = true
                        break
                    }
                    storage.append(byte)
                    index += 1
                }
                if !closed { return "guillemet ouvrant sans guillemet fermant" }
                if index < n && line[index] != 0x2C {
                    return "caractère après un guillemet fermant (colonne \(bounds.count + 1))"
                }
            } else {
                while index < n && line[index] != 0x2C {
                    if line[index] == 0x22 {
                        return "guillemet au milieu d'un champ non entouré de guillemets (colonne \(bounds.count + 1))"
                    }
                    storage.append(line[index])
                    index += 1
                }
            }
            bounds.append(fieldStart..<storage.count)
            if index >= n { break }
            index += 1  // the comma
        }
        return nil
    }

    private static func allASCII(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        let count = line.count
        let raw = UnsafeRawBufferPointer(line)
        while index + 8 <= count {
            if raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            index += 8
        }
        while index < count {
            if line[index] >= 0x80 { return false }
            index += 1
        }
        return true
    }

    func rawText(_ i: Int) -> String {
        storage.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[bounds[i]]), as: UTF8.self) }
    }

    func bytes(from first: Int, through last: Int) -> ArraySlice<UInt8> {
        storage[bounds[first].lowerBound..<bounds[last].upperBound]
    }

    func text(_ i: Int, _ column: String) throws(DomainError) -> String {
        let range = bounds[i]
        let ascii = isASCII
        let decoded = storage.withUnsafeBufferPointer { buffer in
            let field = UnsafeBufferPointer(rebasing: buffer[range])
            return ascii ? String(decoding: field, as: UTF8.self) : String(validating: field, as: UTF8.self)
        }
        guard let text = decoded else {
            throw .invalid(field: column, reason: "octets UTF-8 invalides")
        }
        return text
    }

    func optionalText(_ i: Int, _ column: String) throws(DomainError) -> String? {
        bounds[i].isEmpty ? nil : try text(i, column)
    }

    func integer(_ i: Int, _ column: String) throws(DomainError) -> Int64 {
        let field = storage[bounds[i]]
        var value: Int64 = 0
        var negative = false
        var digits = 0
        for (offset, byte) in field.enumerated() {
            if offset == 0 && byte == UInt8(ascii: "-") {
                negative = true
                continue
            }
            guard byte >= 0x30 && byte <= 0x39, digits < 15 else {
                throw .invalid(
                    field: column,
                    reason:
                        "« \(String(decoding: field.prefix(30), as: UTF8.self)) » n'est pas un nombre entier (montants en centimes, sans séparateur)"
                )
            }
            value = value * 10 + Int64(byte - 0x30)
            digits += 1
        }
        guard digits > 0 else { throw .invalid(field: column, reason: "nombre entier attendu, champ vide") }
        return negative ? -value : value
    }

    func bool(_ i: Int, _ column: String) throws(DomainError) -> Bool {
        let field = storage[bounds[i]]
        if field.count == 1 && field.first == UInt8(ascii: "1") { return true }
        if field.count == 1 && field.first == UInt8(ascii: "0") { return false }
        throw .invalid(field: column, reason: "0 ou 1 attendu (reçu « \(String(decoding: field.prefix(30), as: UTF8.self)) »)")
    }

    func date(_ i: Int, _ column: String) throws(DomainError) -> CivilDate {
        let range = bounds[i]
        do throws(DomainError) {
            return try storage.withUnsafeBufferPointer { buffer throws(DomainError) in
                try CivilDate(parsingUTF8: UnsafeBufferPointer(rebasing: buffer[range]))
            }
        } catch {
            throw .invalid(field: column, reason: error.message.droppingField(error.field))
        }
    }
}
