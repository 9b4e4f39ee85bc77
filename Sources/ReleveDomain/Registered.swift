/// An assuré as registered, with the id the store gave them.
public struct StoredPerson: Sendable, Hashable {
    public let id: InsuredPerson.ID
    public let person: InsuredPerson

    public init(id: InsuredPerson.ID, person: InsuredPerson) {
        self.id = id
        self.person = person
    }
}

/// A payment as recorded, with the id the store gave it.
public struct StoredPayment: Sendable, Hashable {
    public let id: Payment.ID
    public let payment: Payment

    public init(id: Payment.ID, payment: Payment) {
        self.id = id
        self.payment = payment
    }
}
