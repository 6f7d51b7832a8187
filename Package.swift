// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Switchboard",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "SwitchboardCSV", targets: ["SwitchboardCSV"]),
        .library(name: "SwitchboardCore", targets: ["SwitchboardCore"]),
        .library(name: "SwitchboardStore", targets: ["SwitchboardStore"]),
        .library(name: "SwitchboardAudit", targets: ["SwitchboardAudit"]),
        .executable(name: "switchboard", targets: ["switchboard"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "4.5.2"),
        // Documentation only: `swift package generate-documentation`. No target depends on it.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // Bytes in, records out, and back. Knows nothing of PBXs and depends on nothing but CByteScan.
        .target(name: "SwitchboardCSV", dependencies: ["CByteScan"]),
        // The domain: rows, import profiles, the policy, validation stages, the pipeline, reports.
        .target(name: "SwitchboardCore", dependencies: ["SwitchboardCSV", "CPrefetch"]),
        // The directory in SQLite: schema, look-ups, secret hashing, the transactional applier, run records.
        .target(
            name: "SwitchboardStore",
            dependencies: [
                "SwitchboardCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // The nightly audit's reports: findings.csv, summary.json and a self-contained report.html.
        .target(name: "SwitchboardAudit", dependencies: ["SwitchboardCore", "SwitchboardCSV"]),
        // Sixteen bytes compared at once, for the CSV reader's search for the ends of fields.
        .target(name: "CByteScan"),
        // The one hint the validator gives the processor: fetch the file index's memory ahead of its use.
        .target(name: "CPrefetch"),
        // The one setting of the C allocator the command line makes (glibc's mmap threshold).
        .target(name: "CAllocator"),
        // The settings the command line gives SQLite before it opens a database (sqlite3_config is variadic).
        .target(name: "CSQLiteSettings", linkerSettings: [.linkedLibrary("sqlite3")]),
        // The command line: argument parsing and printing only.
        .executableTarget(
            name: "switchboard",
            dependencies: [
                "CAllocator",
                "CSQLiteSettings",
                "SwitchboardCSV",
                "SwitchboardCore",
                "SwitchboardStore",
                "SwitchboardAudit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "SwitchboardCSVTests", dependencies: ["SwitchboardCSV"], exclude: ["Fixtures"]),
        .testTarget(name: "SwitchboardCoreTests", dependencies: ["SwitchboardCore"]),
        .testTarget(name: "SwitchboardStoreTests", dependencies: ["SwitchboardStore"]),
        .testTarget(name: "SwitchboardAuditTests", dependencies: ["SwitchboardAudit"]),
        .testTarget(
            name: "SwitchboardCLITests",
            dependencies: ["switchboard"],
            exclude: ["Fixtures", "BadInputs", "VendorExports", "EMProfiles"]
        ),
    ]
)
