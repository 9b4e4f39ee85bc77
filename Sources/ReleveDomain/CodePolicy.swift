/// Which personal codes are refused, and why (SECURITY.md §0 and goal 3): an 8-digit code is a
/// small space, so the guessable ones go: repeated or sequential digits, the most common codes,
/// anything derived from the birth date or the NIR, and the provisional code itself.
public enum CodePolicy {
    /// Checks `code` for the assuré with this NIR and birth date; throws the French reason.
    public static func check(
        _ code: PersonalCode, nir: NIR, birthDate: CivilDate, provisionalCode: ProvisionalCode? = nil
    ) throws(DomainError) {
        let digits = Array(code.digits.utf8).map { Int($0) - 0x30 }
        func refuse(_ reason: String) -> DomainError { .invalid(field: "code personnel", reason: reason) }

        if let provisionalCode, code.digits == provisionalCode.digits || code.digits.contains(provisionalCode.digits) {
            throw refuse("il ne doit pas reprendre le code provisoire reçu par courrier")
        }
        if Set(digits).count <= 2 {
            throw refuse("trop peu de chiffres différents (au moins 3 attendus)")
        }
        if isSequential(digits) {
            throw refuse("une suite de chiffres (comme 12345678 ou 98765432) se devine trop facilement")
        }
        if let period = repeatingPeriod(digits), period <= digits.count / 2 {
            throw refuse("un motif répété (comme 12341234) se devine trop facilement")
        }
        if commonCodes.contains(code.digits) {
            throw refuse("ce code fait partie des codes les plus utilisés")
        }
        for date in birthDateForms(birthDate) where code.digits.contains(date) {
            throw refuse("il ne doit pas contenir votre date de naissance")
        }
        let nirDigits = nir.withKey.replacingOccurrences(of: "2A", with: "19").replacingOccurrences(of: "2B", with: "18")
        for length in 6...min(13, code.digits.count) {
            let utf8 = Array(code.digits.utf8)
            for start in 0...(utf8.count - length) {
                let window = String(decoding: utf8[start..<(start + length)], as: UTF8.self)
                if nirDigits.contains(window) || nir.withKey.contains(window) {
                    throw refuse("il ne doit pas reprendre une partie de votre numéro de sécurité sociale")
                }
            }
        }
    }

    /// Ascending or descending by one, with or without wrapping (…8901…).
    static func isSequential(_ digits: [Int]) -> Bool {
        guard digits.count > 1 else { return true }
        for step in [1, 9] {  // +1 or −1 modulo 10
            if zip(digits, digits.dropFirst()).allSatisfy({ ($0 + step) % 10 == $1 }) { return true }
        }
        return false
    }

    /// The length of the shortest block that the code repeats (`12341234` → 4), if any.
    static func repeatingPeriod(_ digits: [Int]) -> Int? {
        for period in 1...max(1, digits.count / 2) where digits.count % period == 0 || period <= 4 {
            var repeats = true
            for index in period..<digits.count where digits[index] != digits[index - period] {
                repeats = false
                break
            }
            if repeats { return period }
        }
        return nil
    }

    /// The forms a birth date takes when people turn it into a code.
    static func birthDateForms(_ date: CivilDate) -> [String] {
        let dd = CivilDate.twoDigits(date.day)
        let mm = CivilDate.twoDigits(date.month)
        let yyyy = CivilDate.pad(date.year, 4)
        let yy = CivilDate.twoDigits(date.year % 100)
        return [
            dd + mm + yyyy, yyyy + mm + dd, mm + dd + yyyy, yyyy + dd + mm, dd + mm + yy + yy, yy + mm + dd + yy,
            dd + mm + yy, yy + mm + dd, mm + dd + yy,
        ].filter { $0.count >= 6 }
    }

    /// Numeric codes most often chosen (PIN and password studies: 12345678, 11111111,
    /// 87654321, years, keyboard columns…), beyond the repeated and sequential ones that the
    /// rules above already refuse.
    static let commonCodes: Set<String> = [
        "12345679", "123456780", "1234567809", "12341234", "12121212", "11223344", "69696969", "13131313",
        "14725836", "14789632", "15975328", "25802580", "74108520", "96385274", "19871987", "20002000",
        "20202020", "19691969", "12344321", "11112222", "12312312", "11221122", "10101010", "01010101",
        "00001111", "55555556", "99999998", "12345600", "1234567899", "12348765", "13572468", "24681357",
        "22446688", "12369874", "14523698", "15935746", "78945612", "45612378", "32165498", "74185296",
        "852852852", "147258369", "159753159", "123654789", "987456321", "147852369", "321654987",
        "147896325", "123321123", "112233445566", "1122334455", "123123123", "321321321", "11235813",
        "31415926", "27182818", "19451945", "17891789", "14071789", "06061944", "11111918", "08051945",
    ]
}
