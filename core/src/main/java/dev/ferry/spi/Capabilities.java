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
    private final boolean list;
    private final boolean delete;
    private final boolean garbageCollect;

    private Capabilities(Builder b) {
        this.read = b.read;
        this.write = b.write;
        this.multiImage = b.multiImage;
        this.list = b.list;
        this.delete = b.delete;
        this.garbageCollect = b.garbageCollect;
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

    /** Whether references list the images of their store ({@link ImageStore}). */
    public boolean list() {
        return list;
    }

    /** Whether the images of references can be deleted ({@link DeletableImage}). */
    public boolean delete() {
        return delete;
    }

    /** Whether references' stores remove unreachable blobs ({@link GarbageCollectable}). */
    public boolean garbageCollect() {
        return garbageCollect;
    }

    /** This capabilities' builder, to add to them: {@code READ_WRITE.toBuilder().list(true).build()}. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.read = read;
        b.write = write;
        b.multiImage = multiImage;
        b.list = list;
        b.delete = delete;
        b.garbageCollect = garbageCollect;
        return b;
    }

    /** "read/write", "read-only" or "write-only". */
    public String describe() {
        return read && write ? "read/write" : read ? "read-only" : write ? "write-only" : "none";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Capabilities c
                && c.read == read
                && c.write == write
                && c.multiImage == multiImage
                && c.list == list
                && c.delete == delete
                && c.garbageCollect == garbageCollect;
    }

    @Override
    public int hashCode() {
        return Objects.hash(read, write, multiImage, list, delete, garbageCollect);
    }

    @Override
    public String toString() {
        return "Capabilities[read=" + read + ", write=" + write + ", multiImage=" + multiImage + ", list=" + list
                + ", delete=" + delete + ", garbageCollect=" + garbageCollect + "]";
    }

    /** Builds {@link Capabilities}; everything is false until set. */
    public static final class Builder {
        private boolean read;
        private boolean write;
        private boolean multiImage;
        private boolean list;
        private boolean delete;
        private boolean garbageCollect;

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

        public Builder list(boolean value) {
            this.list = value;
            return this;
        }

        public Builder delete(boolean value) {
            this.delete = value;
            return this;
        }

        public Builder garbageCollect(boolean value) {
            this.garbageCollect = value;
            return this;
        }

        public Capabilities build() {
            return new Capabilities(this);
        }
    }
}
