import SwitchboardCSV
import SwitchboardCore

/// Something that shows records on standard output as ``Parse`` reads them.
protocol RecordPrinter {
    /// Shows one record: its fields, and the line where it starts.
    mutating func print(_ fields: CSVFieldBytes, line: Int) throws
    /// Ends the output.
    mutating func finish() throws
}

/// Prints the file as one JSON array of records, each an array of strings, header included.
struct JSONRecordPrinter: RecordPrinter {
    private var out = OutputStream.standardOutput()
    private var first = true

    mutating func print(_ fields: CSVFieldBytes, line _: Int) throws {
        var line: [UInt8] = first ? [UInt8(ascii: "[")] : [UInt8(ascii: ",")]
        first = false
        line.append(contentsOf: "\n  [".utf8)
        for index in 0..<fields.count {
            if index > 0 { line.append(contentsOf: ", ".utf8) }
            JSONText.appendString(fields[index], to: &line)
        }
        line.append(UInt8(ascii: "]"))
        try out.write(bytes: line)
    }

    mutating func finish() throws {
        try out.write(first ? "[]\n" : "\n]\n")
        try out.flush()
    }
}

/// Prints records for people: aligned columns, truncated cells, and each record's line.
///
/// Column widths come from the first ``sampleCount`` records, so the table streams.
struct TableRecordPrinter: RecordPrinter {
    static let sampleCount = 100
    static let maxWidth = 24

    private var out = OutputStream.standardOutput()
    private var sample: [(line: Int, cells: [String])] = []
    private var widths: [Int]?

    mutating func print(_ fields: CSVFieldBytes, line: Int) throws {
        let cells = fields.strings.map(Self.displayable)
        if let widths {
            try emit(line: line, cells: cells, widths: widths)
            return
        }
        sample.append((line, cells))
        if sample.count == Self.sampleCount { try settleWidths() }
    }

    mutating func finish() throws {
        if widths == nil { try settleWidths() }
        try out.flush()
    }

    private mutating func settleWidths() throws {
        var widths: [Int] = []
        for row in sample {
            for (index, cell) in row.cells.enumerated() {
                let width = min(Self.maxWidth, cell.count)
                if index < widths.count {
                    widths[index] = max(widths[index], width)
                } else {
                    widths.append(width)
                }
            }
        }
        self.widths = widths
        for row in sample { try emit(line: row.line, cells: row.cells, widths: widths) }
        sample = []
    }

    private mutating func emit(line: Int, cells: [String], widths: [Int]) throws {
        var text = Self.pad(String(line), to: 6, leading: true) + " │ "
        for (index, cell) in cells.enumerated() {
            let width = index < widths.count ? widths[index] : Self.maxWidth
            if index > 0 { text += " │ " }
            text += Self.pad(Self.truncate(cell, to: width), to: width, leading: false)
        }
        while text.hasSuffix(" ") { text.removeLast() }
        try out.write(text + "\n")
    }

    /// Shows line breaks and tabs inside a cell as visible marks.
    static func displayable(_ cell: String) -> String {
        String(
            cell.replacingCRLF.unicodeScalars.map { scalar -> Character in
                switch scalar {
                case "\n", "\r": "↵"
                case "\t": "→"
                default: scalar.value < 0x20 ? "·" : Character(scalar)
                }
            })
    }

    static func truncate(_ cell: String, to width: Int) -> String {
        cell.count <= width ? cell : String(cell.prefix(max(0, width - 1))) + "…"
    }

    static func pad(_ cell: String, to width: Int, leading: Bool) -> String {
        let padding = String(repeating: " ", count: max(0, width - cell.count))
        return leading ? padding + cell : cell + padding
    }
}

extension String {
    /// The string with each CRLF pair made one LF, so a line break shows as one mark.
    fileprivate var replacingCRLF: String {
        guard utf8.contains(0x0D) else { return self }
        var scalars = String.UnicodeScalarView()
        var previousCR = false
        for scalar in unicodeScalars {
            if scalar == "\n" && previousCR { previousCR = false; continue }
            previousCR = scalar == "\r"
            scalars.append(scalar)
        }
        return String(scalars)
    }
}
