/// A print batch: one PDF per volume for the print shop, and its manifest.
public struct PrintBatch: Sendable, Equatable {
    public typealias ID = ReleveDomain.ID<PrintBatch>

    /// `LOT-AAAAMMJJ-001.pdf`, `-002.pdf`…
    public var volumeFiles: [String] {
        (1...max(1, volumes)).map { volume in
            let number = String(volume)
            return "\(reference)-\(String(repeating: "0", count: max(0, 3 - number.count)))\(number).pdf"
        }
    }

    public var id: ID
    public var reference: String
    public var date: CivilDate
    /// The first volume's file; `volumeFiles` lists them all.
    public var file: String
    public var volumes: Int
    public var manifest: String
    /// SHA-256 of the volumes' SHA-256s (hex, one per line, in order).
    public var sha256: String
    public var letters: Int
    public var pages: Int
    public var createdAt: Int64
    public var postedAt: Int64?

    public init(
        id: ID, reference: String, date: CivilDate, file: String, volumes: Int, manifest: String, sha256: String, letters: Int,
        pages: Int, createdAt: Int64, postedAt: Int64?
    ) {
        self.id = id
        self.reference = reference
        self.date = date
        self.file = file
        self.volumes = volumes
        self.manifest = manifest
        self.sha256 = sha256
        self.letters = letters
        self.pages = pages
        self.createdAt = createdAt
        self.postedAt = postedAt
    }
}
