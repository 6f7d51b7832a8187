import Crypto
import CryptoExtras
import Dispatch
import Foundation

/// Salted PBKDF2-HMAC-SHA256 hashes of passcodes and passwords, the only form a secret is stored in.
///
/// A hash reads `pbkdf2-sha256$ROUNDS$SALT$KEY`, salt and key in base64, so a stored hash
/// keeps its own cost: raising `[secrets] pbkdf2_rounds` applies to secrets set after.
public struct SecretHasher: Sendable {
    /// PBKDF2 rounds for new hashes.
    public let rounds: Int

    /// The bytes of salt and of derived key.
    static let saltBytes = 16
    static let keyBytes = 32
    static let scheme = "pbkdf2-sha256"

    /// Creates a hasher that makes hashes of `rounds` rounds.
    public init(rounds: Int) { self.rounds = rounds }

    /// A new salted hash of `secret`, with a salt from the system's secure generator.
    public func hash(_ secret: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<Self.saltBytes).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let key = Self.derive(secret, salt: salt, rounds: rounds)
        return "\(Self.scheme)$\(rounds)$\(Data(salt).base64EncodedString())$\(Data(key).base64EncodedString())"
    }

    /// Whether `secret` is the secret `stored` was made from; false for a hash it cannot read.
    public static func verify(_ secret: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == scheme, let rounds = Int(parts[1]), rounds > 0,
            let salt = Data(base64Encoded: String(parts[2])), let key = Data(base64Encoded: String(parts[3]))
        else { return false }
        let candidate = derive(secret, salt: Array(salt), rounds: rounds)
        // Compare in constant time.
        guard candidate.count == key.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(candidate, key) { difference |= a ^ b }
        return difference == 0
    }

    private static func derive(_ secret: String, salt: [UInt8], rounds: Int) -> [UInt8] {
        // PBKDF2 with SHA-256 cannot fail for these sizes; a failure would be a broken build.
        let key = try! KDF.Insecure.PBKDF2.deriveKey(
            from: Array(secret.utf8), salt: salt, using: .sha256, outputByteCount: keyBytes,
            unsafeUncheckedRounds: rounds)
        return key.withUnsafeBytes { Array($0) }
    }

    /// Runs `work` for every index of `0..<count`, spread over all cores; each call must touch only its own slot.
    static func concurrently(_ count: Int, _ work: @Sendable (Int) -> Void) {
        guard count > 1 else {
            if count == 1 { work(0) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: count, execute: work)
    }
}

/// SHA-256 digests in lowercase hex, for run records.
public enum Digest {
    /// The SHA-256 of the file at `path`, read in 1 MiB blocks.
    public static func sha256(ofFile path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw StoreError(kind: .io, path: path, message: "\(path): cannot be read to compute its SHA-256")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let block = try handle.read(upToCount: 1 << 20), !block.isEmpty { hasher.update(data: block) }
        return hex(hasher.finalize())
    }

    /// The SHA-256 of `text`'s UTF-8 bytes.
    public static func sha256(of text: String) -> String { hex(SHA256.hash(data: Array(text.utf8))) }

    private static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { byte in
            let digits = Array("0123456789abcdef".utf8)
            return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 15)]], as: UTF8.self)
        }.joined()
    }
}
