package dev.ferry.spi;

/**
 * What a transport can do, declared once. Ferry and the conformance kit trust these declarations and test them:
 * an operation declared unsupported must fail with {@link OperationNotSupportedException}.
 *
 * @param read whether references of this transport can be opened as {@link ImageSource}s
 * @param write whether they can be opened as {@link ImageSink}s
 * @param multiImage whether a sink stores a whole index with its child manifests
 *     ({@link ImageSink#putChildManifest})
 */
public record Capabilities(boolean read, boolean write, boolean multiImage) {
    public static final Capabilities READ_WRITE = new Capabilities(true, true, false);
    public static final Capabilities READ_WRITE_MULTI_IMAGE = new Capabilities(true, true, true);
    public static final Capabilities READ_ONLY = new Capabilities(true, false, false);

    /** "read/write", "read-only" or "write-only". */
    public String describe() {
        return read && write ? "read/write" : read ? "read-only" : write ? "write-only" : "none";
    }
}
