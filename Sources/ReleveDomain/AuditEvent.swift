/// One audited event: what happened, to whom (masked NIR), through which channel, with what outcome.
public struct AuditEvent: Sendable, Equatable {
    public var at: Int64
    public var kind: String
    public var outcome: String
    public var subject: String?
    public var channel: String?
    public var detail: String?

    public init(at: Int64, kind: String, outcome: String, subject: String? = nil, channel: String? = nil, detail: String? = nil) {
        self.at = at
        self.kind = kind
        self.outcome = outcome
        self.subject = subject
        self.channel = channel
        self.detail = detail
    }
}
