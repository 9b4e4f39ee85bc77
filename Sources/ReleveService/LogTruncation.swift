import ReleveStore

extension OperationsStore {
    /// Runs a command that writes in bulk (an import, an issuing or print batch, a copy,
    /// a retention pass), then gives back the disk its log took, whether it succeeded or not.
    /// Truncating is housekeeping: what `body` committed is committed, so a failure to
    /// truncate is not the command's failure (the next restart of the log cuts it anyway).
    func truncatingLog<T>(_ body: () async throws -> T) async throws -> T {
        do {
            let result = try await body()
            _ = try? await truncateLog()
            return result
        } catch {
            _ = try? await truncateLog()
            throw error
        }
    }
}
