// swift-tools-version: 6.0
// libFuzzer harnesses for Switchboard. Build and run with ./run.sh (see README.md).
import PackageDescription

let package = Package(
    name: "SwitchboardFuzz",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "Switchboard", path: "..")
    ],
    targets: [
        .executableTarget(
            name: "fuzz-csv",
            dependencies: [.product(name: "SwitchboardCSV", package: "Switchboard")]
        ),
        .executableTarget(
            name: "fuzz-validate",
            dependencies: [
                .product(name: "SwitchboardCSV", package: "Switchboard"),
                .product(name: "SwitchboardCore", package: "Switchboard"),
            ]
        ),
    ]
)
