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
        var best = canonical
        var bestScore = 0
        for (profile, score) in detectionScores(header: header) where score > bestScore {
            best = profile
            bestScore = score
        }
        return best
    }

    /// Every profile with its detection score for `header`, in the order of ``all``.
    public static func detectionScores(header: [String]) -> [(profile: ImportProfile, score: Int)] {
        var names = Set<String>()
        for column in header {
            let folded = HeaderName.fold(column)
            if !folded.isEmpty, !reservedColumns.contains(folded) { names.insert(folded) }
        }
        return all.map { profile in
            var score = 0
            for name in names where profile.roles[name] != nil {
                score += (profileCountByName[name] ?? 0) == 1 ? distinctiveWeight : 1
            }
            return (profile, score)
        }
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
