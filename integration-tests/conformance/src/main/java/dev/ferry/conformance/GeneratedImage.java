package dev.ferry.conformance;

import dev.ferry.model.Descriptor;
import dev.ferry.model.Digest;
import dev.ferry.model.DigestAlgorithm;
import dev.ferry.model.ImageManifest;
import dev.ferry.model.ManifestBytes;
import dev.ferry.model.MediaTypes;
import dev.ferry.spi.BlobNotFoundException;
import dev.ferry.spi.BlobStream;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageSink;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.Transport;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A multi-layer image made on the fly, never stored: each layer is a valid uncompressed tar holding one file of
 * pseudo-random bytes, regenerated from its seed whenever it is read (so a 1 GiB layer costs no memory and no
 * disk). Its manifest is OCI or Docker v2s2, as the sink under test takes.
 */
public final class GeneratedImage implements ImageSource {
    private final ManifestBytes manifest;
    private final Map<Digest, long[]> layers = new HashMap<>();
    private final Map<Digest, byte[]> small = new HashMap<>();
    private final ImageReference reference;

    /**
     * @param docker whether to describe it as Docker v2s2 instead of OCI
     * @param sizes the size of each layer's file, in bytes
     * @param seed what makes this image's bytes its own
     */
    public GeneratedImage(boolean docker, long[] sizes, long seed) throws IOException {
        List<Descriptor> layerDescriptors = new ArrayList<>();
        List<String> diffIds = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            long layerSeed = seed * 1000 + i;
            MessageDigest md = DigestAlgorithm.SHA256.newMessageDigest();
            long total = 0;
            try (InputStream in = new LayerStream(sizes[i], layerSeed)) {
                byte[] buf = new byte[1 << 16];
                int n;
                while ((n = in.read(buf)) > 0) {
                    md.update(buf, 0, n);
                    total += n;
                }
            }
            Digest digest = Digest.fromHash(DigestAlgorithm.SHA256, md.digest());
            layers.put(digest, new long[] {sizes[i], layerSeed, total});
            layerDescriptors.add(Descriptor.of(docker ? MediaTypes.DOCKER_LAYER : MediaTypes.OCI_LAYER, digest, total));
            diffIds.add("\"" + digest + "\"");
        }
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2024-01-01T00:00:00Z\","
                        + "\"config\":{\"Cmd\":[\"/bin/true\"],\"Labels\":{\"dev.ferry.conformance\":\"" + seed
                        + "\"}},"
                        + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + String.join(",", diffIds) + "]}}")
                .getBytes(StandardCharsets.UTF_8);
        Digest configDigest = Digest.sha256(config);
        small.put(configDigest, config);
        String type = docker ? MediaTypes.DOCKER_MANIFEST : MediaTypes.OCI_MANIFEST;
        manifest = new ImageManifest(
                        type,
                        Descriptor.of(
                                docker ? MediaTypes.DOCKER_CONFIG : MediaTypes.OCI_CONFIG, configDigest, config.length),
                        layerDescriptors,
                        Map.of(),
                        null,
                        null)
                .toBytes();
        reference = new GeneratedReference(seed);
    }

    /** The config, then the layers. */
    public List<Descriptor> blobs() {
        return ((ImageManifest) manifest.parse()).blobs();
    }

    /** The layers. */
    public List<Descriptor> layers() {
        return ((ImageManifest) manifest.parse()).layers();
    }

    /** The config's descriptor. */
    public Descriptor config() {
        return ((ImageManifest) manifest.parse()).config();
    }

    /** Whether this image's manifest is Docker v2s2 rather than OCI. */
    public boolean docker() {
        return manifest.mediaType().equals(MediaTypes.DOCKER_MANIFEST);
    }

    /** The bytes of a blob of this image, regenerated. */
    public InputStream open(Digest digest) throws IOException {
        byte[] bytes = small.get(digest);
        if (bytes != null) {
            return new ByteArrayInputStream(bytes);
        }
        long[] layer = layers.get(digest);
        if (layer == null) {
            throw new BlobNotFoundException(digest, reference.displayName());
        }
        return new LayerStream(layer[0], layer[1]);
    }

    @Override
    public ImageReference reference() {
        return reference;
    }

    @Override
    public ManifestBytes manifest() {
        return manifest;
    }

    @Override
    public ManifestBytes manifest(Digest digest) throws IOException {
        throw new BlobNotFoundException(digest, reference.displayName());
    }

    @Override
    public BlobStream blob(Descriptor descriptor) throws IOException {
        return new BlobStream(open(descriptor.digest()), descriptor.size());
    }

    @Override
    public void close() {}

    /** A tar of one file of pseudo-random bytes, generated as it is read. */
    static final class LayerStream extends InputStream {
        private final byte[] header = new byte[512];
        private final long size;
        private final long end;
        private long position;
        private final long seed;

        LayerStream(long size, long seed) {
            this.size = size;
            this.seed = seed;
            long padded = (size + 511) / 512 * 512;
            this.end = 512 + padded + 1024;
            byte[] name = ("data/layer-" + seed + ".bin").getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(name, 0, header, 0, name.length);
            octal(100, 8, 0644);
            octal(108, 8, 0);
            octal(116, 8, 0);
            octal(124, 12, size);
            octal(136, 12, 1_600_000_000L);
            header[156] = '0';
            System.arraycopy("ustar\u000000".getBytes(StandardCharsets.US_ASCII), 0, header, 257, 8);
            for (int i = 148; i < 156; i++) {
                header[i] = ' ';
            }
            long sum = 0;
            for (byte b : header) {
                sum += b & 0xff;
            }
            octal(148, 7, sum);
            header[155] = ' ';
        }

        private void octal(int offset, int length, long value) {
            String s = Long.toOctalString(value);
            while (s.length() < length - 1) {
                s = "0" + s;
            }
            byte[] b = s.getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(b, 0, header, offset, length - 1);
            header[offset + length - 1] = 0;
        }

        private long cachedIndex = -1;
        private long cachedWord;

        /** splitmix64: the 8 pseudo-random bytes at word {@code index}, whatever the order of reads. */
        private long word(long index) {
            if (index != cachedIndex) {
                long z = seed + (index + 1) * 0x9E3779B97F4A7C15L;
                z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
                z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
                cachedWord = z ^ (z >>> 31);
                cachedIndex = index;
            }
            return cachedWord;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buf, int off, int len) {
            if (position >= end) {
                return -1;
            }
            int n = (int) Math.min(len, end - position);
            for (int i = 0; i < n; i++) {
                long p = position + i;
                if (p < 512) {
                    buf[off + i] = header[(int) p];
                } else if (p - 512 < size) {
                    long d = p - 512;
                    buf[off + i] = (byte) (word(d >>> 3) >>> ((d & 7) * 8));
                } else {
                    buf[off + i] = 0;
                }
            }
            position += n;
            return n;
        }
    }

    /** The generated image's reference, for messages. */
    private record GeneratedReference(long seed) implements ImageReference {
        @Override
        public Transport transport() {
            return new Transport() {
                @Override
                public String name() {
                    return "generated";
                }

                @Override
                public ImageReference parse(String reference) {
                    return new GeneratedReference(Long.parseLong(reference));
                }
            };
        }

        @Override
        public String stringWithinTransport() {
            return Long.toString(seed);
        }

        @Override
        public ImageSource openSource(OpenContext context) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ImageSink openSink(OpenContext context) {
            throw new UnsupportedOperationException();
        }
    }
}
