// swift-tools-version: 6.0
// The parse and validation benchmarks: a package of its own, so that the parent package builds
// and tests without yaslab/CSV.swift. Run them with `bash Benchmarks/run.sh` (see docs/performance.md).
import PackageDescription

let package = Package(
    name: "SwitchboardBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "Switchboard", path: ".."),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
    ],
    targets: [
        // mallinfo2() for the validate-index command (Swift's Glibc module leaves out malloc.h).
        .target(name: "CHeapInfo"),
        .executableTarget(
            name: "switchboard-bench",
            dependencies: [
                .product(name: "SwitchboardCSV", package: "Switchboard"),
                .product(name: "SwitchboardCore", package: "Switchboard"),
                .product(name: "CSV", package: "CSV.swift"),
                "CHeapInfo",
            ]
        )
    ]
)
