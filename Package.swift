// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Switchboard",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "SwitchboardCSV", targets: ["SwitchboardCSV"]),
        .executable(name: "switchboard", targets: ["switchboard"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
    ],
    targets: [
        // Bytes in, records out, and back. Knows nothing of PBXs and depends on nothing.
        .target(name: "SwitchboardCSV"),
        // The command line: argument parsing and printing only.
        .executableTarget(
            name: "switchboard",
            dependencies: [
                "SwitchboardCSV",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "SwitchboardCSVTests", dependencies: ["SwitchboardCSV"], exclude: ["Fixtures"]),
        .testTarget(
            name: "SwitchboardCLITests",
            dependencies: ["switchboard"],
            exclude: ["Fixtures"]
        ),
    ]
)
