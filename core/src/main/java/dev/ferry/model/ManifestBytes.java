package dev.ferry.model;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;

/**
 * A manifest or index exactly as stored: its bytes, its media type and the digest of those bytes.
 *
 * <p>Manifests are content-addressed, so Ferry never re-serializes one it did not change: these bytes are what
 * is written and what {@code ferry inspect --raw} prints. Manifests are small (they are limited to
 * {@link #MAX_SIZE}), so they are the one kind of content held in memory.
 */
public final class ManifestBytes {
    /** The largest manifest Ferry accepts, as containerd and the distribution spec do: 4 MiB. */
    public static final int MAX_SIZE = 4 * 1024 * 1024;

    private final byte[] bytes;
    private final String mediaType;
    private final Digest digest;

    private ManifestBytes(byte[] bytes, String mediaType, Digest digest) {
        this.bytes = bytes;
        this.mediaType = mediaType;
        this.digest = digest;
    }

    /**
     * Wraps manifest bytes, computing their SHA-256 digest. The media type is the one given, or when null the one
     * the JSON declares, or the one its shape implies.
     *
     * @throws IllegalArgumentException if the bytes are not a JSON manifest or index, or are too large
     */
    public static ManifestBytes of(byte[] bytes, String mediaType) {
        return of(bytes, mediaType, DigestAlgorithm.SHA256);
    }

    /** As {@link #of(byte[], String)}, with the digest computed with {@code algorithm}. */
    public static ManifestBytes of(byte[] bytes, String mediaType, DigestAlgorithm algorithm) {
        requireNonNull(bytes, "bytes is null");
        if (bytes.length > MAX_SIZE) {
            throw new IllegalArgumentException(
                    "manifest of " + bytes.length + " bytes exceeds the limit of " + MAX_SIZE + " bytes");
        }
        byte[] copy = bytes.clone();
        String type = mediaType != null && !mediaType.isEmpty() ? mediaType : Manifests.detectMediaType(copy);
        return new ManifestBytes(
                copy,
                type,
                Digest.fromHash(algorithm, algorithm.newMessageDigest().digest(copy)));
    }

    /** A copy of the bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    public int size() {
        return bytes.length;
    }

    public String mediaType() {
        return mediaType;
    }

    public Digest digest() {
        return digest;
    }

    public boolean isIndex() {
        return MediaTypes.isIndex(mediaType);
    }

    /** A descriptor of these bytes. */
    public Descriptor descriptor() {
        return Descriptor.of(mediaType, digest, bytes.length);
    }

    /** Parses the bytes. */
    public Manifest parse() {
        return Manifests.parse(bytes, mediaType);
    }

    /** Checks that these bytes have the digest and size {@code expected} names. */
    public boolean matches(Descriptor expected) {
        return expected.size() == bytes.length
                && expected.digest().equals(digestWith(expected.digest().algorithm()));
    }

    private Digest digestWith(DigestAlgorithm algorithm) {
        return algorithm == digest.algorithm()
                ? digest
                : Digest.fromHash(algorithm, algorithm.newMessageDigest().digest(bytes));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ManifestBytes other
                && other.mediaType.equals(mediaType)
                && Arrays.equals(other.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return digest.hashCode();
    }

    @Override
    public String toString() {
        return mediaType + " " + digest + " (" + bytes.length + " bytes)";
    }
}
