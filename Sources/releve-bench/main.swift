import Foundation
import ReleveDomain
import RelevePDF
import ReleveService
import ReleveStore
import ReleveStorePostgres

// Benchmarks behind docs/BENCHMARKS.md (run from `make bench-statements` and `make bench-query`).
// Prints figures; asserts nothing.
//
//   releve-bench rendu [--nombre N] [--fils T]      statements rendered per second, 1 and 2 threads (or T only)
//   releve-bench requete BASE [--essais N]          the detailed 6-month payments query, p50/p99

/// The benchmark statement: one page, 15 lines, address block, totals, 6-bar chart, footer.
func benchmarkDocument(_ index: Int) -> StatementDocument {
    let person = try! InsuredPerson(
        nir: NIR(parsing: "1701275112034"), lastName: "Martin", firstNames: "Jean", birthDate: CivilDate(parsing: "1970-12-03"),
        address: PostalAddress(lines: ["12 rue de Charenton"], postalCode: "75012", city: "Paris"), regime: .general,
        caisse: Caisse(code: "751", name: "CPAM de Paris"), doctor: nil, longTermCondition: false,
        beneficiaries: [
            Beneficiary(rank: 1, firstName: "Jean", birthDate: CivilDate(parsing: "1970-12-03"), complementaire: nil),
            Beneficiary(rank: 2, firstName: "Léa", birthDate: CivilDate(parsing: "2014-04-02"), complementaire: nil),
        ])
    var payments: [Payment] = []
    for p in 0..<5 {
        let day = CivilDate(daysSinceEpoch: (try! CivilDate(parsing: "2026-10-02")).daysSinceEpoch + p * 5)
        let lines = [
            try! PaymentLine(
                careDate: day, beneficiaryRank: 1 + p % 2, kind: .act, actCode: "G", label: "Consultation généraliste",
                professional: "Dr Claire Bernard", quantity: 1, paid: Cents(3000 + Int64(index % 7)), base: Cents(3000),
                rate: Rate(percent: 70), reimbursed: Cents(2100), transmittedToComplementaire: true),
            try! PaymentLine(
                careDate: day, beneficiaryRank: 1, kind: .act, actCode: "PH7", label: "Pharmacie (vignette blanche)",
                professional: nil,
                quantity: 2, paid: Cents(1260), base: Cents(1260), rate: Rate(percent: 65), reimbursed: Cents(819),
                transmittedToComplementaire: true),
            try! PaymentLine(
                careDate: day, beneficiaryRank: 1, kind: .flatParticipation, actCode: "PF", label: "Participation forfaitaire",
                professional: nil, quantity: 1, paid: .zero, base: .zero, rate: .zero, reimbursed: Cents(-200),
                transmittedToComplementaire: false),
        ]
        payments.append(
            try! Payment(
                reference: "B\(index)-\(p)", nir: person.nir, date: day.adding(days: 3), payee: .insured, kind: .care,
                lines: lines))
    }
    let month = try! Month(parsing: "2026-10")
    let history = (0..<6).map { (month.adding(months: $0 - 5), Cents(Int64(1000 * ($0 + 1)))) }
    return StatementBuilder.document(
        person: person, month: month, payments: payments, history: history, reference: "REL-751-202610-\(index)",
        issuedOn: try! CivilDate(parsing: "2026-11-01"))
}

func render(count: Int, threads: Int) -> Double {
    let documents = (0..<count).map(benchmarkDocument)
    let start = Date()
    DispatchQueue.concurrentPerform(iterations: threads) { thread in
        var bytes = 0
        for index in stride(from: thread, to: count, by: threads) { bytes += StatementRenderer.render(documents[index]).count }
        precondition(bytes > 0)
    }
    return Double(count) / Date().timeIntervalSince(start)
}

let arguments = CommandLine.arguments
func option(_ name: String, _ fallback: Int) -> Int {
    arguments.firstIndex(of: name).flatMap { Int(arguments[$0 + 1]) } ?? fallback
}

switch arguments.dropFirst().first {
case "rendu":
    let count = option("--nombre", 2000)
    let sample = StatementRenderer.render(benchmarkDocument(0))
    let pages = (try? PDFReader(bytes: sample).pageCount) ?? 0
    try Data(sample).write(to: URL(fileURLWithPath: "bench-statement.pdf"))
    _ = render(count: 50, threads: 1)
    if arguments.contains("--fils") {  // one figure only, for profiling (perf record)
        let threads = option("--fils", 1)
        print(String(format: "%d thread(s): %.0f statements/s", threads, render(count: count, threads: threads)))
        break
    }
    let one = render(count: count, threads: 1)
    let two = render(count: count, threads: 2)
    print("statement: \(sample.count) bytes, \(pages) page(s), written to bench-statement.pdf")
    print(String(format: "1 thread: %.0f statements/s; 2 threads: %.0f statements/s (%d statements each)", one, two, count))
case "requete":
    guard arguments.count > 2 else { fatalError("usage: releve-bench requete BASE") }
    // A file, or a PostgreSQL address (issue 13).
    let store: any Store =
        arguments[2].hasPrefix("postgres")
        ? try await PostgresStore.open(url: arguments[2]) : try await SQLiteStore.open(path: arguments[2])
    let tries = option("--essais", 2000)
    let stats = try await store.statistics()
    var nirs: [NIR] = []
    var generator = SystemRandomNumberGenerator()
    // Random assurés of the generated feed (index → NIR as the generator builds them).
    let sample = SampleGenerator(seed: 1, months: 1, lastMonth: try Month(parsing: "2026-10"))
    for _ in 0..<min(tries, 5000) {
        nirs.append(sample.assure(index: Int.random(in: 0..<stats.persons, using: &generator)).0.nir)
    }
    let from = try CivilDate(parsing: "2026-05-01")
    let to = try CivilDate(parsing: "2026-10-31")
    var latencies: [Double] = []
    var lines = 0
    for index in 0..<tries {
        let start = DispatchTime.now().uptimeNanoseconds
        let payments = try await store.payments(of: nirs[index % nirs.count], from: from, to: to)
        latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        lines += payments.reduce(0) { $0 + $1.payment.lines.count }
    }
    latencies.sort()
    func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
    print(
        String(
            format: "%d payment lines in base; %d queries, %.1f lines each: p50 %.3f ms, p99 %.3f ms, max %.3f ms",
            stats.paymentLines, tries, Double(lines) / Double(tries), percentile(0.5), percentile(0.99), latencies.last ?? 0))
    try store.close()
default:
    print("usage: releve-bench rendu [--nombre N] | requete BASE [--essais N]")
}
