import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Reads what the user types. Secrets are never taken from arguments (they would show in
/// `ps` and the shell history): on a terminal they are read with echo off; otherwise one line
/// per answer from standard input, in the order each command's help documents.
enum Input {
    static var isTerminal: Bool { isatty(STDIN_FILENO) == 1 }

    /// One answer; `secret` hides the typing on a terminal.
    static func line(_ prompt: String, secret: Bool = false) throws -> String {
        if isTerminal {
            FileHandle.standardError.write(Data("\(prompt) : ".utf8))
            var saved = termios()
            if secret {
                tcgetattr(STDIN_FILENO, &saved)
                var silent = saved
                silent.c_lflag &= ~tcflag_t(ECHO)
                tcsetattr(STDIN_FILENO, TCSANOW, &silent)
            }
            defer {
                if secret {
                    tcsetattr(STDIN_FILENO, TCSANOW, &saved)
                    FileHandle.standardError.write(Data("\n".utf8))
                }
            }
            guard let text = readLine(strippingNewline: true) else { throw InputEnded(prompt: prompt) }
            return text
        }
        guard let text = readLine(strippingNewline: true) else { throw InputEnded(prompt: prompt) }
        return text.hasSuffix("\r") ? String(text.dropLast()) : text
    }

    struct InputEnded: Error {
        let prompt: String
    }
}
