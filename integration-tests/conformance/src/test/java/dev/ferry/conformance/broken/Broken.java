package dev.ferry.conformance.broken;

/** The broken transports, one bug each (see {@link StoreTransport.Bug}). */
public final class Broken {
    private Broken() {}

    public static final class VisibleBeforeCommit extends StoreTransport {
        public VisibleBeforeCommit() {
            super("visible", Bug.VISIBLE_BEFORE_COMMIT);
        }
    }

    public static final class PublishOnClose extends StoreTransport {
        public PublishOnClose() {
            super("publish-on-close", Bug.PUBLISH_ON_CLOSE);
        }
    }

    public static final class LeaveStaging extends StoreTransport {
        public LeaveStaging() {
            super("leave-staging", Bug.LEAVE_STAGING);
        }
    }

    public static final class IgnoreTag extends StoreTransport {
        public IgnoreTag() {
            super("ignore-tag", Bug.IGNORE_TAG);
        }
    }

    public static final class FalseMultiImage extends StoreTransport {
        public FalseMultiImage() {
            super("false-multi-image", Bug.FALSE_MULTI_IMAGE);
        }
    }

    public static final class FalseLinking extends StoreTransport {
        public FalseLinking() {
            super("false-linking", Bug.FALSE_LINKING);
        }
    }

    public static final class ParseAnything extends StoreTransport {
        public ParseAnything() {
            super("parse-anything", Bug.PARSE_ANYTHING);
        }
    }

    public static final class BufferSink extends StoreTransport {
        public BufferSink() {
            super("buffer-sink", Bug.BUFFER_SINK);
        }
    }

    public static final class BufferSource extends StoreTransport {
        public BufferSource() {
            super("buffer-source", Bug.BUFFER_SOURCE);
        }
    }

    public static final class NoVerify extends StoreTransport {
        public NoVerify() {
            super("no-verify", Bug.NO_VERIFY);
        }
    }

    public static final class FalseReadOnly extends StoreTransport {
        public FalseReadOnly() {
            super("false-read-only", Bug.FALSE_READ_ONLY);
        }
    }

    public static final class ClobberOthers extends StoreTransport {
        public ClobberOthers() {
            super("clobber-others", Bug.CLOBBER_OTHERS);
        }
    }

    public static final class NotAtomic extends StoreTransport {
        public NotAtomic() {
            super("not-atomic", Bug.NOT_ATOMIC);
        }
    }

    public static final class LeaveTmp extends StoreTransport {
        public LeaveTmp() {
            super("leave-tmp", Bug.LEAVE_TMP);
        }
    }
}
