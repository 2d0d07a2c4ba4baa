package dev.ferry.spi;

import java.util.Objects;

/**
 * What a transport can do, declared once. Ferry and the conformance kit trust these declarations and test them:
 * an operation declared unsupported must fail with {@link OperationNotSupportedException}.
 *
 * <p>Made with {@link #builder()} or one of the constants, so that a capability added later has a default and
 * every transport written before it keeps working.
 */
public final class Capabilities {
    /** Reads and writes single images. */
    public static final Capabilities READ_WRITE =
            builder().read(true).write(true).build();
    /** Reads and writes images and whole indexes. */
    public static final Capabilities READ_WRITE_MULTI_IMAGE =
            builder().read(true).write(true).multiImage(true).build();
    /** Reads only. */
    public static final Capabilities READ_ONLY = builder().read(true).build();

    private final boolean read;
    private final boolean write;
    private final boolean multiImage;

    private Capabilities(Builder b) {
        this.read = b.read;
        this.write = b.write;
        this.multiImage = b.multiImage;
    }

    /** Nothing declared: a transport sets what it can do. */
    public static Builder builder() {
        return new Builder();
    }

    /** Whether references of this transport can be opened as {@link ImageSource}s. */
    public boolean read() {
        return read;
    }

    /** Whether references of this transport can be opened as {@link ImageSink}s. */
    public boolean write() {
        return write;
    }

    /** Whether a sink stores a whole index with its child manifests ({@link ImageSink#putChildManifest}). */
    public boolean multiImage() {
        return multiImage;
    }

    /** "read/write", "read-only" or "write-only". */
    public String describe() {
        return read && write ? "read/write" : read ? "read-only" : write ? "write-only" : "none";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Capabilities c && c.read == read && c.write == write && c.multiImage == multiImage;
    }

    @Override
    public int hashCode() {
        return Objects.hash(read, write, multiImage);
    }

    @Override
    public String toString() {
        return "Capabilities[read=" + read + ", write=" + write + ", multiImage=" + multiImage + "]";
    }

    /** Builds {@link Capabilities}; everything is false until set. */
    public static final class Builder {
        private boolean read;
        private boolean write;
        private boolean multiImage;

        private Builder() {}

        public Builder read(boolean value) {
            this.read = value;
            return this;
        }

        public Builder write(boolean value) {
            this.write = value;
            return this;
        }

        public Builder multiImage(boolean value) {
            this.multiImage = value;
            return this;
        }

        public Capabilities build() {
            return new Capabilities(this);
        }
    }
}
