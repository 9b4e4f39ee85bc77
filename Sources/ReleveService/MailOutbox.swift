import Foundation
import ReleveDomain
import ReleveStore

/// The e-mail outbox: RFC 5322 messages written as `.eml` files in a spool directory (next to
/// the database by default), or handed to a command such as `sendmail -t` on standard input.
public struct MailOutbox: Sendable {
    public enum Delivery: Sendable {
        case spool(directory: String)
        case command(String)
    }

    public let delivery: Delivery
    public let from: String

    public init(delivery: Delivery, from: String = "Releve <ne-pas-repondre@releve.invalid>") {
        self.delivery = delivery
        self.from = from
    }

    /// Sends one plain-text UTF-8 message; returns where it went (a file path, or the command).
    @discardableResult
    public func send(to: EmailAddress, subject: String, body: String, now: Date) throws -> String {
        let message = Self.render(from: from, to: to.value, subject: subject, body: body, date: now)
        switch delivery {
        case .spool(let directory):
            try PrivateFiles.makeDirectory(directory)
            let name = "\(Int64(now.timeIntervalSince1970 * 1000))-\(Token.generate().prefix(12)).eml"
            let path = (directory as NSString).appendingPathComponent(name)
            let file = try OutputFile(path: path)
            try file.write(message)
            try file.commit()
            return path
        case .command(let command):
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", command]
            let input = Pipe()
            process.standardInput = input
            try process.run()
            input.fileHandleForWriting.write(Data(message.utf8))
            try input.fileHandleForWriting.close()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw ServiceError.outputUnwritable(
                    path: command, reason: "la commande d'envoi a échoué (code \(process.terminationStatus))")
            }
            return command
        }
    }

    static func render(from: String, to: String, subject: String, body: String, date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        let encodedSubject = "=?UTF-8?B?\(Data(subject.utf8).base64EncodedString())?="
        let lines = [
            "From: \(from)", "To: <\(to)>", "Subject: \(encodedSubject)", "Date: \(formatter.string(from: date))",
            "Message-ID: <\(Token.generate().prefix(24))@releve.invalid>", "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit", "",
        ]
        let text = body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
        return lines.joined(separator: "\r\n") + "\r\n" + text + "\r\n"
    }
}
