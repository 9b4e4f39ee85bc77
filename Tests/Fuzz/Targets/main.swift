// The libFuzzer harness (Tests/Fuzz/fuzz.sh): one binary, the target chosen by
// RELEVE_FUZZ_CIBLE among FuzzEntries.targets (nir, code, csv, json, nom-telechargement).
import Foundation

nonisolated(unsafe) private var selected: (@Sendable ([UInt8]) -> Void)?

@_cdecl("LLVMFuzzerTestOneInput")
public func releveFuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if selected == nil {
        let name = ProcessInfo.processInfo.environment["RELEVE_FUZZ_CIBLE"] ?? ""
        guard let target = FuzzEntries.targets.first(where: { $0.name == name }) else {
            fatalError("RELEVE_FUZZ_CIBLE doit valoir : \(FuzzEntries.targets.map(\.name).joined(separator: ", "))")
        }
        selected = target.run
    }
    selected!(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
