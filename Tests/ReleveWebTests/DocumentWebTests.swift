import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import ReleveDomain
import RelevePDF
import ReleveService
import ReleveTestSupport
import Testing

@testable import ReleveWeb

/// The documents on the pages (selection, décompte, yearly summary as PDF) and the public
/// check at /verifier: by upload or by reference and fingerprint, CSRF, bad uploads, a flood.
@Suite("Web: documents and the public check")
struct DocumentWebTests {
    /// Posts `file` to /verifier as a browser's multipart form would.
    static func upload(
        _ visitor: WebTests.Visitor, _ file: [UInt8], csrf: String? = nil, boundary: String = "----ReleveTest7MA4YWxk"
    ) async throws -> TestResponse {
        var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n\(csrf ?? visitor.csrf)\r\n".utf8)
        body += Array(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"fichier\"; filename=\"doc.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
                .utf8)
        body += file
        body += Array("\r\n--\(boundary)--\r\n".utf8)
        var headers = visitor.cookieHeader
        headers.append(contentsOf: WebTests.origin)
        headers[.contentType] = "multipart/form-data; boundary=\(boundary)"
        return visitor.remember(
            try await visitor.client.execute(uri: "/verifier", method: .post, headers: headers, body: ByteBuffer(bytes: body)))
    }

    @Test("the selection, a décompte and a yearly summary download as PDF; another's payment is a 404 like a missing one")
    func downloads() async throws {
        let world = try await WebTests.World()
        try await world.test { client in
            let visitor = WebTests.Visitor(client)
            try await visitor.login()
            let page = try await visitor.get("/paiements?mois=3&vue=detail")
            #expect(page.text.contains("href=\"/paiements.pdf?mois=3&amp;vue=detail\""), "the link keeps the selection")
            let period = try await visitor.get("/paiements.pdf?mois=3&vue=detail")
            #expect(period.status == .ok && period.headers[.contentType] == "application/pdf")
            let text = try PDFReader(bytes: Array(period.body.readableBytesView)).pagesText().joined()
            #expect(
                text.contains("Vos remboursements du 01/09/2026 au 18/11/2026") && text.contains("Vérifiez ce document"),
                "\(text)")
            let bad = try await visitor.get("/paiements.pdf?mois=99")
            #expect(bad.status == .badRequest)

            let decompte = try await visitor.get("/paiements/751-W-1/decompte.pdf")
            #expect(decompte.status == .ok && decompte.body.readableBytesView.starts(with: Array("%PDF-".utf8)))
            let theirs = try await visitor.get("/paiements/591-W-1/decompte.pdf")
            let missing = try await visitor.get("/paiements/000-NOPE/decompte.pdf")
            #expect(theirs.status == .notFound && theirs.text == missing.text)

            let releves = try await visitor.get("/releves")
            #expect(releves.text.contains("<option value=\"2025\">2025</option>"))
            #expect(try await visitor.get("/recapitulatif.pdf?annee=2025").status == .ok)
            #expect(try await visitor.get("/recapitulatif.pdf?annee=2026").status == .badRequest)
            #expect(try await visitor.get("/recapitulatif.pdf?annee=abc").status == .badRequest)
        }
    }

    @Test("/verifier: genuine, altered, by reference; not a PDF, too large, no CSRF; nothing personal in any answer")
    func publicCheck() async throws {
        let world = try await WebTests.World()
        try await world.test { client in
            let owner = WebTests.Visitor(client)
            try await owner.login()
            let pdf = Array(try await owner.get("/paiements.pdf?mois=3").body.readableBytesView)
            let statement = Array(try await owner.get("/releves/2026-10.pdf").body.readableBytesView)

            // Someone else, not logged in.
            let stranger = WebTests.Visitor(client)
            let form = try await stranger.get("/verifier")
            #expect(form.status == .ok && form.text.contains("enctype=\"multipart/form-data\""))
            let genuine = try await Self.upload(stranger, pdf)
            #expect(genuine.status == .ok && genuine.text.contains("Document authentique"))
            #expect(!genuine.text.contains("MARTIN") && !genuine.text.contains("1 70 12"))
            let monthly = try await Self.upload(stranger, statement).text
            #expect(monthly.contains("relevé mensuel d&#39;octobre 2026") || monthly.contains("relevé mensuel d'octobre 2026"))
            var altered = pdf
            altered[altered.count / 3] ^= 0x20
            let refused = try await Self.upload(stranger, altered)
            #expect(refused.status == .ok && refused.text.contains("Document inconnu ou modifié"))

            let reference = try #require(pdf.isEmpty ? nil : try DocumentWebTests.reference(in: pdf))
            let byReference = try await stranger.post(
                "/verifier", ["reference": reference.reference, "empreinte": reference.fingerprint])
            #expect(byReference.text.contains("Document authentique"))
            let wrong = try await stranger.post(
                "/verifier", ["reference": reference.reference, "empreinte": String(repeating: "ab", count: 32)])
            #expect(wrong.text.contains("Document inconnu ou modifié"))
            #expect(wrong.text.contains("value=\"\(reference.reference)\""), "the typed reference is kept")

            let notPDF = try await Self.upload(stranger, Array("<script>alert(1)</script>".utf8))
            #expect(notPDF.status == .badRequest && notPDF.text.contains("PDF"))
            let large = try await Self.upload(stranger, Array("%PDF-".utf8) + Array(repeating: 0x20, count: 3 * 1024 * 1024))
            #expect(large.status == .contentTooLarge)
            let forged = try await Self.upload(stranger, pdf, csrf: "faux")
            #expect(forged.status == .forbidden)
            var garbage = WebTests.origin
            garbage[.contentType] = "multipart/form-data; boundary=xyz"
            garbage.append(contentsOf: stranger.cookieHeader)
            let malformed = try await client.execute(
                uri: "/verifier", method: .post, headers: garbage, body: ByteBuffer(string: "--xyz\r\nnimporte quoi"))
            #expect(malformed.status == .badRequest)
        }
    }

    @Test("the API: a period PDF, the FHIR bundle, and the public check by JSON or by the PDF itself")
    func api() async throws {
        let world = try await WebTests.World()
        try await world.test { client in
            let session = try await world.accounts.service.login(
                nir: AccountWorld.nir, code: AccountWorld.goodCode, channel: .api, now: world.accounts.now)
            let bearer: HTTPFields = [.authorization: "Bearer \(session.token)"]
            let pdf = try await client.execute(uri: "/api/v1/documents/paiements?mois=3", method: .get, headers: bearer)
            #expect(pdf.status == .ok && pdf.headers[.contentType] == "application/pdf")
            let fhir = try await client.execute(uri: "/api/v1/fhir/ExplanationOfBenefit?mois=3", method: .get, headers: bearer)
            #expect(fhir.status == .ok && fhir.headers[.contentType]?.hasPrefix("application/fhir+json") == true)
            let bundle = try #require(try JSONSerialization.jsonObject(with: Data(buffer: fhir.body)) as? [String: Any])
            #expect(bundle["resourceType"] as? String == "Bundle" && bundle["total"] as? Int == 1)
            #expect(try await client.execute(uri: "/api/v1/fhir/ExplanationOfBenefit", method: .get).status == .unauthorized)

            let bytes = Array(pdf.body.readableBytesView)
            let byFile = try await client.execute(
                uri: "/api/v1/verifications", method: .post, headers: [.contentType: "application/pdf"],
                body: ByteBuffer(bytes: bytes))
            let answer = try #require(try JSONSerialization.jsonObject(with: Data(buffer: byFile.body)) as? [String: Any])
            #expect(answer["authentique"] as? Bool == true, "\(answer)")
            let printed = try DocumentWebTests.reference(in: bytes)
            let byReference = try await client.execute(
                uri: "/api/v1/verifications", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(
                    string: #"{"reference":"\#(printed.reference)","empreinte":"\#(String(repeating: "f", count: 64))"}"#))
            let refused = try #require(
                try JSONSerialization.jsonObject(with: Data(buffer: byReference.body)) as? [String: Any])
            #expect(byReference.status == .ok && refused["authentique"] as? Bool == false)
            let notPDF = try await client.execute(
                uri: "/api/v1/verifications", method: .post, headers: [.contentType: "application/pdf"],
                body: ByteBuffer(string: "bonjour"))
            #expect(notPDF.status == .badRequest)
        }
    }

    @Test("/verifier: a flood from one address is refused (429) after 30 checks")
    func flood() async throws {
        let world = try await WebTests.World()
        try await world.test { client in
            let visitor = WebTests.Visitor(client)
            try await visitor.get("/verifier")
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<32 {
                statuses.append(
                    try await visitor.post(
                        "/verifier",
                        ["reference": "DOC-751-P2026-0000000000000000", "empreinte": String(repeating: "0", count: 64)]
                    ).status)
            }
            #expect(statuses.prefix(30).allSatisfy { $0 == .ok } && statuses.suffix(2).allSatisfy { $0 == .tooManyRequests })
        }
    }

    /// The reference and fingerprint printed in a document's footer.
    static func reference(in pdf: [UInt8]) throws -> (reference: String, fingerprint: String) {
        let text = try PDFReader(bytes: pdf).pagesText()[0]
        let reference = try #require(text.firstMatch(of: /Référence (DOC-[A-Z0-9-]+)/)).1
        let fingerprint = try #require(text.firstMatch(of: /Empreinte SHA-256 : ([0-9a-f]{64})/)).1
        return (String(reference), String(fingerprint))
    }
}
