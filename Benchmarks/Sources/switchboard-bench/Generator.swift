// The deterministic generator of realistic canonical user rows (../shared/DOMAIN.md §3).
//
// The same --rows and --seed give the same file, byte for byte, on any machine: the only
// randomness is SplitMix64, and every choice is a table lookup in a fixed order. Rows are
// written through a 1 MiB buffer, so memory does not grow with --rows.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// SplitMix64 (Steele, Lea and Flood 2014): tiny, fast, and the same everywhere.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in 0..<bound (the modulo bias is far below anything a benchmark sees).
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    /// True `perMille` times in a thousand.
    mutating func chance(_ perMille: Int) -> Bool { below(1000) < perMille }
}

struct GeneratorError: Error, CustomStringConvertible {
    var description: String
}

/// A name as shown, and as spelled in usernames and emails.
struct Name {
    let display: [UInt8]
    let ascii: [UInt8]
    init(_ display: String, _ ascii: String? = nil) {
        self.display = Array(display.utf8)
        self.ascii = Array((ascii ?? display.lowercased()).utf8)
    }
}

/// People's names, departments and places of one locale.
struct Locale {
    let firstNames: [Name]
    let lastNames: [Name]
    let departments: [String]
    let subUnits: [String]
}

struct Site {
    let id: String
    let locale: Int
    let phone: String  // X is a random digit
    let language: String
    let timeZone: String
}

enum Tables {
    static let locales: [Locale] = [
        Locale(  // 0 fr
            firstNames: [
                Name("Amélie", "amelie"), Name("François", "francois"), Name("Hélène", "helene"),
                Name("Jérôme", "jerome"), Name("Chloé", "chloe"), Name("Léa", "lea"), Name("Camille"),
                Name("Julien"), Name("Nicolas"), Name("Marie"), Name("Zoë", "zoe"), Name("Céline", "celine"),
                Name("Thomas"), Name("Sophie"), Name("Anne-Laure", "anne-laure"), Name("Maël", "mael"),
            ],
            lastNames: [
                Name("Dupont"), Name("Lefèvre", "lefevre"), Name("Dubois"), Name("Moreau"), Name("Girard"),
                Name("Faure"), Name("Rousseau"), Name("Bérubé", "berube"), Name("Mercier"),
                Name("Château", "chateau"), Name("Lambert"), Name("D'Arcy", "darcy"), Name("Benoît", "benoit"),
                Name("Martin, Jr.", "martin"),
            ],
            departments: [
                "Ventes", "Support", "Comptabilité", "Ressources humaines", "Recherche & Développement, EMEA",
                "Support \"Niveau 2\"", "Juridique", "Accueil",
            ],
            subUnits: ["Siège", "Équipe 2", "Nord"]),
        Locale(  // 1 en
            firstNames: [
                Name("John"), Name("Mary"), Name("James"), Name("Patricia"), Name("Robert"), Name("Jennifer"),
                Name("Michael"), Name("Linda"), Name("William"), Name("Elizabeth"), Name("David"), Name("Barbara"),
                Name("Christopher"), Name("Jessica"), Name("Matthew"), Name("Ashley"),
            ],
            lastNames: [
                Name("Smith"), Name("Johnson"), Name("Williams"), Name("Brown"), Name("Jones"),
                Name("O'Brien", "obrien"), Name("Smith, Jr.", "smith"), Name("Miller"), Name("Davis"),
                Name("Wilson"), Name("Anderson"), Name("Taylor"), Name("Thompson"), Name("Moore"),
                Name("Jackson"), Name("Harris"),
            ],
            departments: [
                "Sales", "Support", "Engineering", "Finance", "Human Resources", "Research & Development, EMEA",
                "Customer Care \"Tier 2\"", "Marketing", "Legal", "Operations",
            ],
            subUnits: ["Headquarters", "Team 2", "East"]),
        Locale(  // 2 de
            firstNames: [
                Name("Jürgen", "juergen"), Name("Klaus"), Name("Günther", "guenther"), Name("Lukas"),
                Name("Anna"), Name("Björn", "bjoern"), Name("Jörg", "joerg"), Name("Sabine"), Name("Uwe"),
                Name("Käthe", "kaethe"), Name("Monika"), Name("Stefan"),
            ],
            lastNames: [
                Name("Müller", "mueller"), Name("Schröder", "schroeder"), Name("Weiß", "weiss"),
                Name("Schmidt"), Name("Fischer"), Name("Groß", "gross"), Name("Wagner"), Name("Becker"),
                Name("Hoffmann"), Name("Schäfer", "schaefer"), Name("Krüger", "krueger"), Name("Zimmermann"),
            ],
            departments: [
                "Vertrieb", "Einkauf", "Buchhaltung", "Entwicklung", "Kundendienst, Süd", "Personalabteilung",
                "Support \"Stufe 2\"",
            ],
            subUnits: ["Zentrale", "Werk 2", "Süd"]),
        Locale(  // 3 es
            firstNames: [
                Name("María", "maria"), Name("José", "jose"), Name("Íñigo", "inigo"), Name("Lucía", "lucia"),
                Name("Sofía", "sofia"), Name("Javier"), Name("Carmen"), Name("Andrés", "andres"),
                Name("Begoña", "begona"), Name("Pablo"),
            ],
            lastNames: [
                Name("García", "garcia"), Name("Núñez", "nunez"), Name("Peña", "pena"),
                Name("Fernández", "fernandez"), Name("López", "lopez"), Name("Martínez", "martinez"),
                Name("García Núñez", "garcia"), Name("Muñoz", "munoz"), Name("Ibáñez", "ibanez"),
            ],
            departments: ["Ventas", "Soporte \"Nivel 2\"", "Finanzas", "Recursos Humanos", "Atención, Norte", "Compras"],
            subUnits: ["Sede central", "Equipo 2"]),
        Locale(  // 4 pt
            firstNames: [
                Name("João", "joao"), Name("Conceição", "conceicao"), Name("Luís", "luis"), Name("Ana"),
                Name("Gonçalo", "goncalo"), Name("Beatriz"), Name("Tiago"), Name("Inês", "ines"),
            ],
            lastNames: [
                Name("Gonçalves", "goncalves"), Name("Araújo", "araujo"), Name("Simões", "simoes"),
                Name("Magalhães", "magalhaes"), Name("Silva"), Name("Pereira"), Name("Conceição", "conceicao"),
            ],
            departments: ["Vendas", "Suporte", "Financeiro", "Atendimento, Nível 2", "Jurídico"],
            subUnits: ["Matriz", "Equipe 2"]),
        Locale(  // 5 pl
            firstNames: [
                Name("Łukasz", "lukasz"), Name("Małgorzata", "malgorzata"), Name("Paweł", "pawel"),
                Name("Zofia"), Name("Wojciech"), Name("Jędrzej", "jedrzej"), Name("Agnieszka"), Name("Michał", "michal"),
            ],
            lastNames: [
                Name("Wałęsa", "walesa"), Name("Kowalski"), Name("Wiśniewski", "wisniewski"),
                Name("Dąbrowski", "dabrowski"), Name("Zieliński", "zielinski"), Name("Szymańska", "szymanska"),
                Name("Nowak"), Name("Woźniak", "wozniak"),
            ],
            departments: ["Sprzedaż", "Księgowość", "Wsparcie", "Kadry, Płace", "Logistyka"],
            subUnits: ["Centrala", "Zespół 2"]),
        Locale(  // 6 da
            firstNames: [
                Name("Søren", "soren"), Name("Åse", "ase"), Name("Jens"), Name("Mette"), Name("Bjørn", "bjorn"),
                Name("Frederikke"), Name("Mads"), Name("Sofie"),
            ],
            lastNames: [
                Name("Østergaard", "ostergaard"), Name("Jørgensen", "jorgensen"), Name("Nielsen"),
                Name("Hansen"), Name("Kjær", "kjaer"), Name("Sørensen", "sorensen"), Name("Larsen"),
            ],
            departments: ["Salg", "Økonomi", "Kundeservice", "Udvikling, Nord", "Indkøb"],
            subUnits: ["Hovedkontor", "Hold 2"]),
        Locale(  // 7 ja
            firstNames: [
                Name("太郎", "taro"), Name("花子", "hanako"), Name("健太", "kenta"), Name("由美", "yumi"),
                Name("翔", "sho"), Name("さくら", "sakura"), Name("大輔", "daisuke"), Name("美咲", "misaki"),
            ],
            lastNames: [
                Name("山田", "yamada"), Name("佐藤", "sato"), Name("鈴木", "suzuki"), Name("高橋", "takahashi"),
                Name("田中", "tanaka"), Name("渡辺", "watanabe"), Name("伊藤", "ito"), Name("中村", "nakamura"),
            ],
            departments: ["営業部", "技術部", "経理部", "人事部", "カスタマーサポート, 東京", "Sales"],
            subUnits: ["本社", "第二課"]),
    ]

    /// Names from elsewhere, given to one person in twelve at any site.
    static let travellers: [(Name, Name)] = [
        (Name("Νίκος", "nikos"), Name("Παπαδόπουλος", "papadopoulos")),
        (Name("Дмитрий", "dmitry"), Name("Иванов", "ivanov")),
        (Name("Ольга", "olga"), Name("Смирнова", "smirnova")),
        (Name("伟", "wei"), Name("王", "wang")),
        (Name("Ngọc", "ngoc"), Name("Nguyễn", "nguyen")),
        (Name("Ayşe", "ayse"), Name("Yılmaz", "yilmaz")),
        (Name("Siobhán", "siobhan"), Name("Ó Súilleabháin", "osullivan")),
        (Name("Priya"), Name("Raghunathan")),
    ]

    static let sites: [Site] = [
        Site(id: "paris", locale: 0, phone: "+33 1 XX XX XX XX", language: "fr-FR", timeZone: "Europe/Paris"),
        Site(id: "lyon", locale: 0, phone: "+33 4 XX XX XX XX", language: "fr-FR", timeZone: "Europe/Paris"),
        Site(id: "paris, la défense", locale: 0, phone: "+33 1 XX XX XX XX", language: "fr-FR",
             timeZone: "Europe/Paris"),
        Site(id: "nyc", locale: 1, phone: "+1 212 555 XXXX", language: "en-US", timeZone: "America/New_York"),
        Site(id: "sf", locale: 1, phone: "+1 (415) 555-XXXX", language: "en-US",
             timeZone: "America/Los_Angeles"),
        Site(id: "london", locale: 1, phone: "+44 20 XXXX XXXX", language: "en-GB", timeZone: "Europe/London"),
        Site(id: "berlin", locale: 2, phone: "+49 30 XXXXXXX", language: "de-DE", timeZone: "Europe/Berlin"),
        Site(id: "münchen", locale: 2, phone: "+49 89 XXXXXXXX", language: "de-DE", timeZone: "Europe/Berlin"),
        Site(id: "madrid", locale: 3, phone: "+34 91 XXX XX XX", language: "es-ES", timeZone: "Europe/Madrid"),
        Site(id: "são paulo", locale: 4, phone: "+55 11 XXXX-XXXX", language: "pt-BR",
             timeZone: "America/Sao_Paulo"),
        Site(id: "kraków", locale: 5, phone: "+48 12 XXX XX XX", language: "pl-PL", timeZone: "Europe/Warsaw"),
        Site(id: "københavn", locale: 6, phone: "+45 XX XX XX XX", language: "da-DK",
             timeZone: "Europe/Copenhagen"),
        Site(id: "tokyo", locale: 7, phone: "+81 3-XXXX-XXXX", language: "ja-JP", timeZone: "Asia/Tokyo"),
    ]

    static let domains = ["example.com", "example.com", "example.com", "corp.example.org", "acme-telecom.example"]
    static let areas = ["Lobby", "Conference Room", "Break Room", "Reception", "Warehouse"]
    static let passwordCharacters = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!#$%&*+-?@_.".utf8)
    static let hex = Array("0123456789ABCDEF".utf8)

    static let header =
        "action,type,username,first_name,last_name,email,extension,site,phone_number,department,"
        + "language,time_zone,voicemail,voicemail_passcode,portal_password,em_profile,device_name\n"
}

/// Appends CSV rows to a buffer and writes it out a megabyte at a time.
struct RowWriter {
    private let descriptor: Int32
    private let path: String
    private var buffer: [UInt8] = []
    private(set) var written = 0
    var rowQuoted = false
    var rowNonASCII = false

    init(path: String) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw GeneratorError(description: "\(path): cannot open: errno \(errno)") }
        buffer.reserveCapacity(1 << 20 + 4096)
    }

    /// Appends one field, quoting it only when it holds a delimiter, a quote or a line break.
    mutating func field<C: Collection>(_ bytes: C, last: Bool = false) where C.Element == UInt8 {
        var needsQuotes = false
        for byte in bytes {
            if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == 0x0A || byte == 0x0D {
                needsQuotes = true
            }
            if byte >= 0x80 { rowNonASCII = true }
        }
        if needsQuotes {
            rowQuoted = true
            buffer.append(UInt8(ascii: "\""))
            for byte in bytes {
                buffer.append(byte)
                if byte == UInt8(ascii: "\"") { buffer.append(byte) }
            }
            buffer.append(UInt8(ascii: "\""))
        } else {
            buffer.append(contentsOf: bytes)
        }
        buffer.append(last ? 0x0A : UInt8(ascii: ","))
    }

    mutating func field(_ string: String, last: Bool = false) {
        field(string.utf8, last: last)
    }

    mutating func raw(_ string: String) {
        buffer.append(contentsOf: string.utf8)
    }

    mutating func flushIfFull() throws {
        if buffer.count >= 1 << 20 { try flush() }
    }

    mutating func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let count = buffer.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if count < 0 {
                if errno == EINTR { continue }
                throw GeneratorError(description: "\(path): cannot write: errno \(errno)")
            }
            offset += count
        }
        written += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    func finish() {
        _ = close(descriptor)
    }
}

struct GeneratedFile {
    var bytes = 0
    var headerBytes = 0
    var nonASCIIRows = 0
    var quotedRows = 0
    var multilineRows = 0
}

/// Writes `rows` user rows after the canonical header and returns what was written.
///
/// By default most keys repeat, as in the issue's generated file: about a thousand usernames
/// (first and last name from small tables), emails likewise, and five-digit extensions drawn
/// at random within each site. With `distinctKeys`, every username, email and
/// extension-mobility profile gets the row number (`amelie.dupont.4711`), and each site
/// numbers its extensions from 10000 up, so that no two rows share a key: the largest
/// uniqueness index a file of this size can need. The random draws are the same either way,
/// so every other column is the same as in the default file.
func generate(rows: Int, seed: UInt64, path: String, distinctKeys: Bool = false) throws -> GeneratedFile {
    var random = SplitMix64(seed: seed)
    var out = try RowWriter(path: path)
    defer { out.finish() }
    var result = GeneratedFile()
    out.raw(Tables.header)
    result.headerBytes = Tables.header.utf8.count
    var scratch: [UInt8] = []
    scratch.reserveCapacity(256)
    var nextExtension = [Int](repeating: 10_000, count: Tables.sites.count)

    for row in 0..<rows {
        out.rowQuoted = false
        out.rowNonASCII = false
        var multiline = false
        let siteIndex = random.below(Tables.sites.count)
        let site = Tables.sites[siteIndex]
        let locale = Tables.locales[site.locale]
        let first: Name
        let last: Name
        if random.chance(83) {
            (first, last) = Tables.travellers[random.below(Tables.travellers.count)]
        } else {
            first = locale.firstNames[random.below(locale.firstNames.count)]
            last = locale.lastNames[random.below(locale.lastNames.count)]
        }
        let commonArea = random.chance(30)

        // action
        let action = random.below(100)
        out.field(
            action < 60 ? "add" : action < 75 ? "upsert" : action < 85 ? "" : action < 95 ? "update"
                : action < 98 ? "disable" : "delete")
        // type
        out.field(commonArea ? "common-area" : "user")
        // username: "adupont" or "amelie.dupont", with a number when names collide
        scratch.removeAll(keepingCapacity: true)
        if commonArea {
            scratch.append(contentsOf: "area-".utf8)
            scratch.append(contentsOf: String(row).utf8)
        } else {
            if random.chance(500) {
                scratch.append(first.ascii[0])
            } else {
                scratch.append(contentsOf: first.ascii)
                scratch.append(UInt8(ascii: "."))
            }
            scratch.append(contentsOf: last.ascii)
            if random.chance(400) { scratch.append(contentsOf: String(random.below(100)).utf8) }
            if distinctKeys {
                scratch.append(UInt8(ascii: "."))
                scratch.append(contentsOf: String(row).utf8)
            }
        }
        out.field(scratch)
        // first_name, last_name
        if commonArea {
            out.field(Tables.areas[random.below(Tables.areas.count)])
            out.field(site.id)
        } else {
            out.field(first.display)
            out.field(last.display)
        }
        // email: a common-area profile carries the email of the person responsible for it
        var email = first.ascii
        email.append(UInt8(ascii: "."))
        email.append(contentsOf: last.ascii)
        if distinctKeys {
            email.append(UInt8(ascii: "."))
            email.append(contentsOf: String(row).utf8)
        }
        email.append(UInt8(ascii: "@"))
        email.append(contentsOf: Tables.domains[random.below(Tables.domains.count)].utf8)
        out.field(email)
        // extension: digits kept as text, sometimes with a leading zero
        let digits = random.chance(800) ? 4 : 5
        scratch.removeAll(keepingCapacity: true)
        for position in 0..<digits {
            scratch.append(UInt8(ascii: "0") + UInt8(position == 0 && random.chance(900) ? 1 + random.below(9) : random.below(10)))
        }
        if distinctKeys {
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: String(nextExtension[siteIndex]).utf8)
            nextExtension[siteIndex] += 1
        }
        out.field(scratch)
        // site
        out.field(site.id)
        // phone_number
        if random.chance(920) {
            scratch.removeAll(keepingCapacity: true)
            for byte in site.phone.utf8 {
                scratch.append(byte == UInt8(ascii: "X") ? UInt8(ascii: "0") + UInt8(random.below(10)) : byte)
            }
            out.field(scratch)
        } else {
            out.field("")
        }
        // department, now and then on two lines
        let department = locale.departments[random.below(locale.departments.count)]
        if random.chance(5) {
            multiline = true
            out.field(department + "\n" + locale.subUnits[random.below(locale.subUnits.count)])
        } else {
            out.field(department)
        }
        // language, time_zone
        out.field(site.language)
        out.field(site.timeZone)
        // voicemail, voicemail_passcode
        let voicemail = !commonArea && random.chance(750)
        let spelling = random.below(10)
        out.field(
            voicemail
                ? (spelling < 7 ? "yes" : spelling < 9 ? "true" : "Y")
                : (spelling < 7 ? "no" : spelling < 9 ? "false" : "N"))
        scratch.removeAll(keepingCapacity: true)
        if voicemail && random.chance(700) {
            for _ in 0..<6 { scratch.append(UInt8(ascii: "0") + UInt8(random.below(10))) }
        }
        out.field(scratch)
        // portal_password: printable, now and then holding a comma or a quote
        scratch.removeAll(keepingCapacity: true)
        if !commonArea && random.chance(550) {
            let length = 12 + random.below(5)
            for _ in 0..<length {
                scratch.append(Tables.passwordCharacters[random.below(Tables.passwordCharacters.count)])
            }
            if random.chance(60) {
                scratch[random.below(length)] = random.chance(500) ? UInt8(ascii: ",") : UInt8(ascii: "\"")
            }
        }
        out.field(scratch)
        // em_profile
        scratch.removeAll(keepingCapacity: true)
        if !commonArea && random.chance(350) {
            scratch.append(contentsOf: "em-".utf8)
            scratch.append(contentsOf: first.ascii)
            scratch.append(UInt8(ascii: "."))
            scratch.append(contentsOf: last.ascii)
            if distinctKeys {
                scratch.append(UInt8(ascii: "."))
                scratch.append(contentsOf: String(row).utf8)
            }
        }
        out.field(scratch)
        // device_name
        scratch.removeAll(keepingCapacity: true)
        if random.chance(880) {
            scratch.append(contentsOf: "SEP".utf8)
            for _ in 0..<12 { scratch.append(Tables.hex[random.below(16)]) }
        }
        out.field(scratch, last: true)

        if out.rowNonASCII { result.nonASCIIRows += 1 }
        if out.rowQuoted { result.quotedRows += 1 }
        if multiline { result.multilineRows += 1 }
        try out.flushIfFull()
    }
    try out.flush()
    result.bytes = out.written
    return result
}
