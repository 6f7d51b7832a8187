/// Telling a file's profile from its header.
extension ImportProfile {
    /// The profile whose columns best match `header`; canonical when nothing matches.
    ///
    /// Each profile scores the header's distinct folded names it recognises, whatever their
    /// role (a Webex `User Status` column is evidence too): 3 points for a name only that
    /// profile knows, 1 for a name several profiles share (`First Name`, `extension`).
    /// The rejects file's own columns and blank names do not count. The highest score wins;
    /// a tie goes to the profile listed first in ``all``, so canonical wins its ties.
    ///
    /// ```swift
    /// ImportProfile.detect(header: ["Number", "FirstName", "EnableVoicemail"]).name // "3cx"
    /// ```
    public static func detect(header: [String]) -> ImportProfile {
        detection(header: header).profile
    }

    /// The profile ``detect(header:)`` chooses for `header`, with the evidence: which columns
    /// it knows, which only it knows, and how close the next profile came.
    public static func detection(header: [String]) -> ProfileDetection {
        let names = distinctNames(header)
        var ranked: [(profile: ImportProfile, score: Int)] = []
        for (profile, score) in detectionScores(header: header) where score > 0 { ranked.append((profile, score)) }
        // Stable: equal scores keep the order of `all`.
        ranked = ranked.enumerated().sorted { ($0.element.score, -$0.offset) > ($1.element.score, -$1.offset) }
            .map(\.element)
        guard let best = ranked.first else {
            return ProfileDetection(profile: .canonical, known: [], distinctive: [], runnerUp: nil)
        }
        let known = header.map(HeaderName.display).filter { names.contains(HeaderName.fold($0)) }
            .filter { best.profile.roles[HeaderName.fold($0)] != nil }
        let distinctive = known.filter { (profileCountByName[HeaderName.fold($0)] ?? 0) == 1 }
        return ProfileDetection(
            profile: best.profile, known: known, distinctive: distinctive,
            runnerUp: ranked.dropFirst().first.map { ($0.profile, $0.score, best.score) })
    }

    /// Every profile with its detection score for `header`, in the order of ``all``.
    public static func detectionScores(header: [String]) -> [(profile: ImportProfile, score: Int)] {
        let names = distinctNames(header)
        return all.map { profile in
            var score = 0
            for name in names where profile.roles[name] != nil {
                score += (profileCountByName[name] ?? 0) == 1 ? distinctiveWeight : 1
            }
            return (profile, score)
        }
    }

    /// The header's distinct folded names that count as evidence: not blank, not the rejects file's own.
    private static func distinctNames(_ header: [String]) -> Set<String> {
        var names = Set<String>()
        for column in header {
            let folded = HeaderName.fold(column)
            if !folded.isEmpty, !reservedColumns.contains(folded) { names.insert(folded) }
        }
        return names
    }

    /// The points a column name only one profile knows is worth.
    static let distinctiveWeight = 3

    /// How many built-in profiles recognise each folded name.
    static let profileCountByName: [String: Int] = {
        var counts: [String: Int] = [:]
        for profile in all {
            for name in profile.roles.keys { counts[name, default: 0] += 1 }
        }
        return counts
    }()
}

/// The profile detection chose for a header, and the evidence for it.
public struct ProfileDetection: Sendable, CustomStringConvertible {
    /// The profile chosen.
    public let profile: ImportProfile
    /// The header's columns the profile knows, as the file writes them.
    public let known: [String]
    /// Those of ``known`` that no other profile knows.
    public let distinctive: [String]
    /// The profile that came next, with its score and the chosen profile's, if any scored.
    public let runnerUp: (profile: ImportProfile, score: Int, bestScore: Int)?

    /// Whether two vendors' profiles match about as well.
    ///
    /// That is, less than one column only the chosen profile knows between them. Canonical is
    /// never a close call: it wins its ties, and a vendor's file that canonical also reads is
    /// that vendor's.
    public var isAmbiguous: Bool {
        guard let runnerUp, profile != .canonical, runnerUp.profile != .canonical else { return false }
        return runnerUp.bestScore - runnerUp.score < ImportProfile.distinctiveWeight
    }

    /// One sentence: the profile chosen, and on what evidence.
    public var description: String {
        guard !known.isEmpty else { return "read as canonical: no column of the header belongs to a vendor's profile" }
        func list(_ names: [String]) -> String {
            names.prefix(6).map { "`\($0)`" }.joined(separator: ", ") + (names.count > 6 ? ", ..." : "")
        }
        var text = "read as \(profile.name) (\(profile.title)): it knows \(known.count) of the header's columns"
        text +=
            distinctive.isEmpty ? ", none only its own" : ", \(distinctive.count) only its own (\(list(distinctive)))"
        if let runnerUp { text += "; next came \(runnerUp.profile.name)" }
        return text
    }

    /// The sentence of a close call: both profiles, and what to do.
    public var ambiguityMessage: String {
        guard let runnerUp else { return description }
        return "the header fits \(profile.name) (\(profile.title)) and \(runnerUp.profile.name) "
            + "(\(runnerUp.profile.title)) about as well; name the profile with --profile \(profile.name) "
            + "or --profile \(runnerUp.profile.name)"
    }
}
