// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Switchboard",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "SwitchboardCSV", targets: ["SwitchboardCSV"]),
        .library(name: "SwitchboardCore", targets: ["SwitchboardCore"]),
        .executable(name: "switchboard", targets: ["switchboard"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
    ],
    targets: [
        // Bytes in, records out, and back. Knows nothing of PBXs and depends on nothing.
        .target(name: "SwitchboardCSV"),
        // The domain: rows, import profiles, the policy, validation stages, the pipeline, reports.
        .target(name: "SwitchboardCore", dependencies: ["SwitchboardCSV"]),
        // The command line: argument parsing and printing only.
        .executableTarget(
            name: "switchboard",
            dependencies: [
                "SwitchboardCSV",
                "SwitchboardCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "SwitchboardCSVTests", dependencies: ["SwitchboardCSV"], exclude: ["Fixtures"]),
        .testTarget(name: "SwitchboardCoreTests", dependencies: ["SwitchboardCore"]),
        .testTarget(
            name: "SwitchboardCLITests",
            dependencies: ["switchboard"],
            exclude: ["Fixtures", "BadInputs"]
        ),
    ]
)
