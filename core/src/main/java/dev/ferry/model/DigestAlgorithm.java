package dev.ferry.model;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Optional;

/** The digest algorithms the OCI image spec registers and Ferry verifies. */
public enum DigestAlgorithm {
    SHA256("sha256", "SHA-256", 64),
    SHA512("sha512", "SHA-512", 128);

    private final String ociName;
    private final String jcaName;
    private final int hexLength;

    DigestAlgorithm(String ociName, String jcaName, int hexLength) {
        this.ociName = ociName;
        this.jcaName = jcaName;
        this.hexLength = hexLength;
    }

    /** The name used in digests and in layout paths, for example {@code sha256}. */
    public String ociName() {
        return ociName;
    }

    /** The number of lowercase hex characters of an encoded digest. */
    public int hexLength() {
        return hexLength;
    }

    /** A fresh {@link MessageDigest} for this algorithm. */
    public MessageDigest newMessageDigest() {
        try {
            return MessageDigest.getInstance(jcaName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks " + jcaName, e);
        }
    }

    /** The algorithm named {@code name} ({@code sha256}, {@code sha512}), if Ferry supports it. */
    public static Optional<DigestAlgorithm> fromOciName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (DigestAlgorithm algorithm : values()) {
            if (algorithm.ociName.equals(lower) && algorithm.ociName.equals(name)) {
                return Optional.of(algorithm);
            }
        }
        return Optional.empty();
    }
}
