#!/usr/bin/env bash
# Builds the DocC catalogues of SwitchboardCSV and SwitchboardCore, every DocC warning an error
# (a broken ``Symbol`` link, a missing article). The plugin is the swift-docc-plugin of
# Package.swift; docc itself comes with the toolchain. Extra arguments go to the plugin, e.g.
# --transform-for-static-hosting. The archives land in .build/plugins/Swift-DocC/outputs/.
set -euo pipefail
cd "$(dirname "$0")/.."

swift package --disable-sandbox generate-documentation \
    --target SwitchboardCSV --target SwitchboardCore --warnings-as-errors "$@"
