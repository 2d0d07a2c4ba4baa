package dev.ferry.engine;

import dev.ferry.model.Digest;

/**
 * What a copy did.
 *
 * @param manifestDigest the digest of the top-level manifest written
 * @param mediaType its media type
 * @param blobsCopied blobs streamed to the destination
 * @param blobsSkipped blobs the destination already had
 * @param bytesCopied bytes streamed
 */
public record CopyResult(
        Digest manifestDigest, String mediaType, int blobsCopied, int blobsSkipped, long bytesCopied) {}
