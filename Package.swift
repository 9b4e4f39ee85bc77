// swift-tools-version:6.2
import PackageDescription

// The dependency rule of the house plan (README, "Architecture") is enforced here:
// each room is a target and may import only the rooms listed in its dependencies.
let package = Package(
    name: "Releve",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "releve", targets: ["releve"])
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // Already in the graph through Hummingbird; named because ReleveWeb's connection guard
        // is a NIO channel handler over NIOHTTPTypes' request parts.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        // Also in the graph through Hummingbird; named because ReleveWeb imports their modules
        // (HTTP field names and statuses, the server's logger) and every import is declared.
        .package(url: "https://github.com/apple/swift-http-types", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        // The OpenID Connect relying party (FranceConnect): HTTP to the provider, and JOSE
        // (JWKS, RS256/ES256 signature checks) instead of hand-written token parsing.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
        // The server engine for a caisse of millions (issue 13): PostgreSQL through PostgresNIO's
        // pooled PostgresClient.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // Running it as a service (issue 18): metrics through the swift-metrics API, exposed in
        // Prometheus' text format; SIGTERM handled by a service group (both already in the graph
        // through Hummingbird but swift-prometheus).
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .target(name: "ReleveDomain"),
        .systemLibrary(name: "CCairo", pkgConfig: "cairo", providers: [.apt(["libcairo2-dev"])]),
        // pango's pkg-config file adds `-pthread`, which SwiftPM refuses with a warning on every
        // build: CPango names no pkg-config package; RelevePDF, its only importer (internally),
        // adds pango's two header directories to cairo's (which bring GLib and FreeType).
        .systemLibrary(name: "CPango", providers: [.apt(["libpango1.0-dev"])]),
        .systemLibrary(name: "CPoppler", pkgConfig: "poppler-glib", providers: [.apt(["libpoppler-glib-dev"])]),
        .target(
            name: "RelevePDF", dependencies: ["ReleveDomain", "CCairo", "CPango", "CPoppler"],
            swiftSettings: [.unsafeFlags(["-Xcc", "-I/usr/include/pango-1.0", "-Xcc", "-I/usr/include/harfbuzz"])]),
        .target(
            name: "ReleveStore",
            dependencies: [
                "ReleveDomain",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The PostgreSQL engine behind the same store interface (`--base postgres://…`).
        .target(
            name: "ReleveStorePostgres",
            dependencies: [
                "ReleveDomain", "ReleveStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // A relying party for any OpenID Connect provider (FranceConnect's profile among them):
        // discovery, PKCE, the ID token's signature and claims, userinfo, logout URL.
        .target(
            name: "ReleveOIDC",
            dependencies: [
                "ReleveDomain",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "ReleveService",
            dependencies: [
                "ReleveDomain",
                "ReleveStore",
                "ReleveStorePostgres",
                "RelevePDF",
                "ReleveOIDC",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "ReleveWeb",
            dependencies: [
                "ReleveDomain",
                "ReleveService",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.embedInCode("openapi.yaml")]
        ),
        .executableTarget(
            name: "releve",
            dependencies: [
                "ReleveDomain",
                "ReleveService",
                "ReleveWeb",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "releve-bench",
            dependencies: ["ReleveDomain", "ReleveStore", "ReleveStorePostgres", "RelevePDF", "ReleveService"]
        ),
        .target(
            name: "ReleveTestSupport",
            dependencies: [
                "ReleveDomain", "ReleveStore", "ReleveStorePostgres", "ReleveService", "ReleveOIDC",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Tests/ReleveTestSupport"
        ),
        .testTarget(name: "ReleveDomainTests", dependencies: ["ReleveDomain", "ReleveTestSupport"]),
        .testTarget(name: "RelevePDFTests", dependencies: ["RelevePDF", "ReleveTestSupport"]),
        .testTarget(
            name: "ReleveStoreTests",
            dependencies: [
                "ReleveDomain", "ReleveStore", "ReleveTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // Service tests reach below the services on purpose (corrupting rows, reading the audit
        // trail as stored); the faces never do.
        .testTarget(
            name: "ReleveServiceTests",
            dependencies: [
                "ReleveDomain", "ReleveStore", "RelevePDF", "ReleveService", "ReleveOIDC", "ReleveTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "ReleveStorePostgresTests",
            dependencies: ["ReleveDomain", "ReleveStore", "ReleveStorePostgres", "ReleveTestSupport"]
        ),
        .testTarget(
            name: "ReleveWebTests",
            dependencies: [
                "ReleveDomain", "ReleveStore", "ReleveWeb", "ReleveService", "ReleveTestSupport", "RelevePDF",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        .testTarget(
            name: "ReleveCLITests",
            dependencies: [
                "ReleveDomain", "ReleveStore", "RelevePDF", "ReleveService", "ReleveTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
