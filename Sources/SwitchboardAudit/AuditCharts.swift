import SwitchboardCore

/// The report's two charts, drawn here as inline SVG so the page needs no script or library to show them.
enum AuditCharts {
    // MARK: Findings by code

    /// Horizontal bars, one per code, zeros included; each bar links to the table filtered on its code.
    static func codeBars(_ summary: AuditSummary) -> String {
        let codes = summary.reportedCodes
        let labelWidth = 214.0
        let barSpace = 360.0
        let rowHeight = 28.0
        let barHeight = 16.0
        let width = labelWidth + barSpace + 56
        let height = rowHeight * Double(codes.count) + 4
        let largest = max(1, codes.map { summary.byCode[$0] ?? 0 }.max() ?? 0)
        var svg = """
            <svg class="chart" viewBox="0 0 \(number(width)) \(number(height))" role="img" \
            aria-label="Findings by code">

            """
        for (row, code) in codes.enumerated() {
            let count = summary.byCode[code] ?? 0
            let top = rowHeight * Double(row) + 4
            let barWidth = count == 0 ? 0 : max(2, barSpace * Double(count) / Double(largest))
            let label = AuditHTMLPage.escaped(code.rawValue)
            svg += """
                <a href="#code=\(label)" class="bar-link"><g class="code-row" data-code="\(label)">\
                <title>\(label): \(AuditHTMLPage.counted(count, "finding"))</title>\
                <text x="\(number(labelWidth - 10))" y="\(number(top + barHeight - 4))" text-anchor="end">\(label)</text>\
                <rect class="track" x="\(number(labelWidth))" y="\(number(top))" width="\(number(barSpace))" \
                height="\(number(barHeight))" rx="3"/>\
                <rect class="bar\(count == 0 ? " zero" : "")" x="\(number(labelWidth))" y="\(number(top))" \
                width="\(number(barWidth))" height="\(number(barHeight))" rx="3"/>\
                <text class="bar-count" x="\(number(labelWidth + barWidth + 6))" y="\(number(top + barHeight - 4))">\
                \(AuditHTMLPage.grouped(count))</text></g></a>

                """
        }
        return svg + "</svg>\n"
    }

    // MARK: Trend

    /// Lines of findings and errors over the trend points, oldest at the left, with a grid.
    static func trendLines(_ trend: [AuditTrendPoint]) -> String {
        let width = 640.0
        let height = 220.0
        let left = 48.0
        let right = 16.0
        let top = 12.0
        let bottom = 30.0
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let scale = axisScale(for: trend.map(\.findings).max() ?? 0)
        func x(_ index: Int) -> Double {
            trend.count < 2 ? left + plotWidth / 2 : left + plotWidth * Double(index) / Double(trend.count - 1)
        }
        func y(_ value: Int) -> Double { top + plotHeight * (1 - Double(value) / Double(scale.top)) }

        var svg = """
            <svg class="chart" viewBox="0 0 \(number(width)) \(number(height))" role="img" \
            aria-label="Findings and errors of the latest \(trend.count) audits">

            """
        for tick in stride(from: 0, through: scale.top, by: scale.step) {
            svg += """
                <line class="grid-line" x1="\(number(left))" x2="\(number(width - right))" y1="\(number(y(tick)))" \
                y2="\(number(y(tick)))"/><text class="axis-label" x="\(number(left - 8))" y="\(number(y(tick) + 4))" \
                text-anchor="end">\(AuditHTMLPage.grouped(tick))</text>

                """
        }
        // Dates under about six points at most: always the last, and none close enough to crowd it.
        let labelEvery = max(1, (trend.count + 5) / 6)
        let last = trend.count - 1
        for index in trend.indices where index == last || (index % labelEvery == 0 && last - index >= labelEvery) {
            let anchor = trend.count > 1 && index == last ? "end" : "middle"
            svg += """
                <text class="axis-label" x="\(number(x(index)))" y="\(number(height - 10))" text-anchor="\(anchor)">\
                \(AuditHTMLPage.escaped(String(trend[index].at.prefix(10))))</text>

                """
        }
        for (series, value) in [("findings", \AuditTrendPoint.findings), ("errors", \AuditTrendPoint.errors)] {
            let points = trend.indices.map { "\(number(x($0))),\(number(y(trend[$0][keyPath: value])))" }
            svg += "<polyline class=\"series \(series)\" points=\"\(points.joined(separator: " "))\"/>\n"
        }
        for (index, point) in trend.enumerated() {
            let tip = AuditHTMLPage.escaped(
                "Run #\(point.runID), \(point.at): \(AuditHTMLPage.counted(point.findings, "finding")), "
                    + "\(AuditHTMLPage.counted(point.errors, "error")), "
                    + "\(AuditHTMLPage.counted(point.warnings, "warning"))")
            svg += """
                <g class="point"><title>\(tip)</title>\
                <circle class="dot findings" cx="\(number(x(index)))" cy="\(number(y(point.findings)))" r="3.5"/>\
                <circle class="dot errors" cx="\(number(x(index)))" cy="\(number(y(point.errors)))" r="3.5"/></g>

                """
        }
        return svg + "</svg>\n"
    }

    /// A round top for an axis that reaches `largest`, and the step of its grid lines (1, 2 or 5 times a power of ten).
    static func axisScale(for largest: Int) -> (top: Int, step: Int) {
        let wanted = max(1, (largest + 3) / 4)
        var magnitude = 1
        while magnitude * 10 <= wanted { magnitude *= 10 }
        let step = [1, 2, 5, 10].map { $0 * magnitude }.first { $0 >= wanted } ?? magnitude * 10
        let steps = max(1, (largest + step - 1) / step)
        return (step * steps, step)
    }

    /// A coordinate with at most one decimal, as SVG reads it.
    static func number(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0 ? String(Int(tenths / 10)) : String(tenths / 10)
    }
}
