import ReleveDomain

/// Writes feeds in the formats of docs/feed-format.md, with a fixed key order so the same
/// records always give the same bytes.
enum FeedWriter {
    static func json(_ person: InsuredPerson) -> String {
        var s = "{\"type\":\"assure\",\"nir\":\(q(person.nir.body)),\"nom\":\(q(person.lastName)),"
        s += "\"prenoms\":\(q(person.firstNames)),\"date_naissance\":\(q(person.birthDate.description)),"
        s += "\"adresse\":[\(person.address.lines.map(q).joined(separator: ","))],"
        s += "\"code_postal\":\(q(person.address.postalCode)),\"commune\":\(q(person.address.city)),"
        s += "\"regime\":\(q(person.regime.rawValue)),\"caisse_code\":\(q(person.caisse.code)),"
        s += "\"caisse_nom\":\(q(person.caisse.name)),\"medecin_traitant\":"
        if let doctor = person.doctor {
            s += "{\"nom\":\(q(doctor.name)),\"depuis\":\(q(doctor.since.description))}"
        } else {
            s += "null"
        }
        s += ",\"ald\":\(person.longTermCondition),\"complementaire\":\(json(person.beneficiaries[0].complementaire)),"
        s += "\"ayants_droit\":["
        s += person.beneficiaries.dropFirst().map { b in
            "{\"rang\":\(b.rank),\"prenom\":\(q(b.firstName)),\"date_naissance\":\(q(b.birthDate.description)),\"complementaire\":\(json(b.complementaire))}"
        }.joined(separator: ",")
        return s + "]}\n"
    }

    private static func json(_ c: Complementaire?) -> String {
        guard let c else { return "null" }
        return "{\"code\":\(q(c.code)),\"nom\":\(q(c.name)),\"noemie\":\(c.noemieLinkActive)}"
    }

    static func json(_ payment: Payment) -> String {
        var s = "{\"type\":\"paiement\",\"reference\":\(q(payment.reference)),\"nir\":\(q(payment.nir.body)),"
        s += "\"date\":\(q(payment.date.description)),"
        switch payment.payee {
        case .insured: s += "\"destinataire\":\"assure\",\"destinataire_nom\":null,"
        case .professional(let name): s += "\"destinataire\":\"professionnel\",\"destinataire_nom\":\(q(name)),"
        }
        s += "\"nature\":\(q(payment.kind.rawValue)),\"lignes\":["
        s += payment.lines.map { l in
            "{\"date_soins\":\(q(l.careDate.description)),\"rang_beneficiaire\":\(l.beneficiaryRank),\"type\":\(q(l.kind.rawValue)),"
                + "\"code\":\(q(l.actCode)),\"libelle\":\(q(l.label)),\"professionnel\":\(l.professional.map(q) ?? "null"),"
                + "\"quantite\":\(l.quantity),\"montant_paye\":\(l.paid.rawValue),\"base\":\(l.base.rawValue),"
                + "\"taux_pb\":\(l.rate.basisPoints),\"rembourse\":\(l.reimbursed.rawValue),"
                + "\"transmis_complementaire\":\(l.transmittedToComplementaire)}"
        }.joined(separator: ",")
        return s + "]}\n"
    }

    static func csvRows(_ payment: Payment) -> String {
        var head = "\(csv(payment.reference)),\(payment.nir.body),\(payment.date),"
        switch payment.payee {
        case .insured: head += "assure,,"
        case .professional(let name): head += "professionnel,\(csv(name)),"
        }
        head += payment.kind.rawValue + ","
        var s = ""
        for l in payment.lines {
            s += head
            s +=
                "\(l.careDate),\(l.beneficiaryRank),\(l.kind.rawValue),\(l.actCode),\(csv(l.label)),\(csv(l.professional ?? "")),"
            s += "\(l.quantity),\(l.paid.rawValue),\(l.base.rawValue),\(l.rate.basisPoints),\(l.reimbursed.rawValue),"
            s += l.transmittedToComplementaire ? "1\n" : "0\n"
        }
        return s
    }

    /// A JSON string literal.
    static func q(_ text: String) -> String { JSONValue.quote(text) }

    static func csv(_ text: String) -> String { CSVField.quoted(text) }
}
