/// CSV cells (RFC 4180), one rule for every file Releve writes.
enum CSVField {
    /// Quoted when it holds a comma, a quote, a line break or edge spaces; quotes doubled.
    static func quoted(_ text: String) -> String {
        guard
            text.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) || text.hasPrefix(" ")
                || text.hasSuffix(" ")
        else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// For files people open in a spreadsheet (exports): a leading `=`, `+`, `-`, `@`, tab, CR
    /// or NUL (a formula) gets a `'` in front, then `quoted`. Feeds, read back by programs,
    /// use `quoted` alone so that their values survive unchanged.
    static func spreadsheetSafe(_ text: String) -> String {
        var text = text
        if let first = text.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r", "\0"].contains(first) {
            text = "'" + text
        }
        return quoted(text)
    }
}
