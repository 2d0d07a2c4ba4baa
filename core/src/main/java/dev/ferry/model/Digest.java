package dev.ferry.model;

import static java.util.Objects.requireNonNull;

import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A validated content digest, {@code algorithm:hex}, for example {@code sha256:e3b0c4...}.
 *
 * <p>Instances are created only through the validating factories, so a {@code Digest} is always well formed:
 * a supported algorithm and exactly its number of lowercase hex characters.
 */
public final class Digest implements Comparable<Digest> {
    private static final Pattern HEX = Pattern.compile("[0-9a-f]+");

    private final DigestAlgorithm algorithm;
    private final String hex;

    private Digest(DigestAlgorithm algorithm, String hex) {
        this.algorithm = algorithm;
        this.hex = hex;
    }

    /**
     * Parses {@code algorithm:hex}.
     *
     * @throws IllegalArgumentException if the text is not a digest Ferry supports
     */
    public static Digest parse(String text) {
        requireNonNull(text, "text is null");
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("not a digest (expected algorithm:hex): " + quote(text));
        }
        DigestAlgorithm algorithm = DigestAlgorithm.fromOciName(text.substring(0, colon))
                .orElseThrow(() -> new IllegalArgumentException(
                        "unsupported digest algorithm in " + quote(text) + " (supported: sha256, sha512)"));
        return of(algorithm, text.substring(colon + 1));
    }

    /** Parses {@code text} if it is a valid digest. */
    public static Optional<Digest> tryParse(String text) {
        try {
            return Optional.of(parse(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * A digest from an algorithm and its encoded hash.
     *
     * @throws IllegalArgumentException if {@code hex} is not lowercase hex of the algorithm's length
     */
    public static Digest of(DigestAlgorithm algorithm, String hex) {
        requireNonNull(algorithm, "algorithm is null");
        requireNonNull(hex, "hex is null");
        if (hex.length() != algorithm.hexLength() || !HEX.matcher(hex).matches()) {
            throw new IllegalArgumentException("invalid " + algorithm.ociName() + " digest: "
                    + quote(algorithm.ociName() + ":" + hex) + " (expected " + algorithm.hexLength()
                    + " lowercase hex characters)");
        }
        return new Digest(algorithm, hex);
    }

    /** A digest from the raw bytes a {@link java.security.MessageDigest} produced. */
    public static Digest fromHash(DigestAlgorithm algorithm, byte[] hash) {
        return of(algorithm, HexFormat.of().formatHex(hash));
    }

    /** The SHA-256 digest of {@code bytes}. */
    public static Digest sha256(byte[] bytes) {
        return fromHash(
                DigestAlgorithm.SHA256,
                DigestAlgorithm.SHA256.newMessageDigest().digest(bytes));
    }

    public DigestAlgorithm algorithm() {
        return algorithm;
    }

    /** The encoded hash, lowercase hex, without the algorithm. */
    public String hex() {
        return hex;
    }

    /** The first 12 hex characters, as Docker abbreviates image IDs. */
    public String shortHex() {
        return hex.substring(0, 12);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Digest other && other.algorithm == algorithm && other.hex.equals(hex);
    }

    @Override
    public int hashCode() {
        return algorithm.hashCode() * 31 + hex.hashCode();
    }

    @Override
    public int compareTo(Digest o) {
        return toString().compareTo(o.toString());
    }

    @Override
    public String toString() {
        return algorithm.ociName() + ":" + hex;
    }

    private static String quote(String s) {
        return "\"" + (s.length() > 200 ? s.substring(0, 200) + "..." : s) + "\"";
    }
}
