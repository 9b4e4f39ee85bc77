import GRDB
import ReleveDomain

extension SQLiteStore {
    /// The assuré with this NIR, with their beneficiaries, or nil.
    public func person(nir: NIR) async throws -> StoredPerson? {
        try await read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM person WHERE nir = ? \(Self.settled)", arguments: [nir.body])
            else {
                return nil
            }
            return try Self.person(from: row, db: db)
        }
    }

    static func person(from row: Row, db: Database) throws -> StoredPerson {
        let id: Int64 = row["id"]
        let beneficiaries = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM beneficiary WHERE person_id = ? ORDER BY rank"), arguments: [id]
        ).map { b throws -> Beneficiary in
            let code: String? = b["complementaire_code"]
            let complementaire = try code.map { code throws -> Complementaire in
                try Complementaire(code: code, name: b["complementaire_name"], noemieLinkActive: b["noemie_active"])
            }
            return try Beneficiary(
                rank: b["rank"], firstName: b["first_name"], birthDate: CivilDate(parsing: b["birth_date"]),
                complementaire: complementaire)
        }
        let doctorName: String? = row["doctor_name"]
        let doctorSince: String? = row["doctor_since"]
        var doctor: DoctorDeclaration?
        if let doctorName, let doctorSince {
            doctor = try DoctorDeclaration(name: doctorName, since: CivilDate(parsing: doctorSince))
        }
        let addressLines: String = row["address_lines"]
        let person = try InsuredPerson(
            nir: NIR(parsing: row["nir"]), lastName: row["last_name"], firstNames: row["first_names"],
            birthDate: CivilDate(parsing: row["birth_date"]),
            address: PostalAddress(
                lines: addressLines.split(separator: "\n").map(String.init), postalCode: row["postal_code"],
                city: row["city"]),
            regime: Regime(code: row["regime"]), caisse: Caisse(code: row["caisse_code"], name: row["caisse_name"]),
            doctor: doctor, longTermCondition: row["long_term_condition"], beneficiaries: beneficiaries)
        return StoredPerson(id: InsuredPerson.ID(id), person: person)
    }
}
