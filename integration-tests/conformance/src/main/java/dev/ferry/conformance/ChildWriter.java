package dev.ferry.conformance;

import dev.ferry.model.Descriptor;
import dev.ferry.model.ImageManifest;
import dev.ferry.spi.BlobStream;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageSink;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.Transport;
import dev.ferry.spi.support.VerifyingInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The child JVM the kit forks for the checks that could take the whole run down: it writes one image through the
 * transport (and, for the memory check, reads it back), printing each step on stdout. Started by
 * {@link ChildJvm}; not for direct use.
 *
 * <p>Arguments are {@code key=value}: {@code transport} and {@code fixture} (class names), {@code urls} (the
 * transport's plugin jars, space-separated, or empty when it is on the class path), {@code ref}, {@code tmp},
 * {@code sizes} (comma-separated), {@code seed}, {@code docker}, {@code readBack}, and {@code pause} (a step index
 * at which to stop and wait forever, half-way through that blob's bytes, or -1).
 */
public final class ChildWriter {
    /** What plugins see of Ferry: the same packages as Ferry's plugin class loader shows. */
    static final Set<String> SHARED =
            Set.of("dev.ferry.spi", "dev.ferry.spi.support", "dev.ferry.model", "dev.ferry.conformance");

    private ChildWriter() {}

    public static void main(String[] args) {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        String[] step = {"start"};
        try {
            Map<String, String> a = new HashMap<>();
            for (String arg : args) {
                int eq = arg.indexOf('=');
                a.put(arg.substring(0, eq), arg.substring(eq + 1));
            }
            ClassLoader loader = loader(a.get("urls"));
            Transport transport = (Transport) Class.forName(a.get("transport"), true, loader)
                    .getConstructor()
                    .newInstance();
            OpenContext context = OpenContext.defaults().withTmpDir(Path.of(a.get("tmp")));
            String fixtureClass = a.getOrDefault("fixture", "");
            if (!fixtureClass.isEmpty()) {
                ConformanceFixture fixture;
                try {
                    fixture = (ConformanceFixture)
                            fixtureClass(fixtureClass, loader).getConstructor().newInstance();
                } catch (ReflectiveOperationException e) {
                    fixture = null; // no public no-argument constructor: the default context
                }
                if (fixture != null) {
                    context = fixture.context(context);
                }
            }
            String[] sizeText = a.get("sizes").split(",");
            long[] sizes = new long[sizeText.length];
            for (int i = 0; i < sizes.length; i++) {
                sizes[i] = Long.parseLong(sizeText[i]);
            }
            step[0] = "generate";
            GeneratedImage image =
                    new GeneratedImage(Boolean.parseBoolean(a.get("docker")), sizes, Long.parseLong(a.get("seed")));
            int pause = Integer.parseInt(a.getOrDefault("pause", "-1"));
            ImageReference ref = transport.parse(a.get("ref"));
            step[0] = "openSink";
            out.println("STEP openSink");
            try (ImageSink sink = ref.openSink(context)) {
                List<Descriptor> blobs = image.blobs();
                for (int i = 0; i < blobs.size(); i++) {
                    Descriptor blob = blobs.get(i);
                    step[0] = ImageWriter.blobName(i, blobs.size());
                    out.println("STEP " + step[0]);
                    if (!sink.hasBlob(blob)) {
                        InputStream raw = image.open(blob.digest());
                        try (InputStream in = i == pause ? new PausingStream(raw, blob.size() / 2, out) : raw) {
                            sink.putBlob(blob, in);
                        }
                    } else if (i == pause) {
                        pauseForever(out);
                    }
                }
                step[0] = "putManifest";
                out.println("STEP putManifest");
                if (pause == blobs.size()) {
                    pauseForever(out);
                }
                sink.putManifest(image.manifest());
                step[0] = "commit";
                out.println("STEP commit");
                sink.commit();
                step[0] = "close";
            }
            out.println("STEP committed");
            if (Boolean.parseBoolean(a.getOrDefault("readBack", "false"))) {
                step[0] = "openSource";
                try (ImageSource source = ref.openSource(context)) {
                    ImageManifest read = (ImageManifest) source.manifest().parse();
                    for (Descriptor blob : read.blobs()) {
                        step[0] = "ImageSource.blob(" + blob.digest() + ") read to its end";
                        out.println("STEP " + step[0]);
                        try (BlobStream s = source.blob(blob)) {
                            VerifyingInputStream.verify(s.stream(), blob).drainAndVerify();
                        }
                    }
                }
            }
            out.println("DONE");
            out.flush();
            System.exit(0);
        } catch (OutOfMemoryError e) {
            out.println("OOM " + step[0] + ": " + e);
            out.flush();
            Runtime.getRuntime().halt(3);
        } catch (Throwable e) {
            out.println("ERROR " + step[0] + ": " + String.valueOf(e).replace('\n', ' '));
            out.flush();
            Runtime.getRuntime().halt(2);
        }
    }

    /**
     * The fixture's class: from the transport's plugin jars, else from the kit's class path (the built-in
     * transports' fixtures live beside the kit, not in the transports' jars, also when a test loads such a
     * transport as a plugin).
     */
    private static Class<?> fixtureClass(String name, ClassLoader loader) throws ClassNotFoundException {
        try {
            return Class.forName(name, true, loader);
        } catch (ClassNotFoundException e) {
            return Class.forName(name, true, ChildWriter.class.getClassLoader());
        }
    }

    private static void pauseForever(PrintStream out) {
        out.println("PAUSED");
        out.flush();
        while (true) {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                // killed, never woken
            }
        }
    }

    /** The transport's class loader: the class path, or its plugin jars seeing only Ferry's shared packages. */
    private static ClassLoader loader(String urls) throws IOException {
        ClassLoader kit = ChildWriter.class.getClassLoader();
        if (urls == null || urls.isBlank()) {
            return kit;
        }
        List<URL> list = new ArrayList<>();
        for (String u : urls.trim().split(" ")) {
            list.add(URI.create(u).toURL());
        }
        ClassLoader shared = new ClassLoader("ferry-spi", ClassLoader.getPlatformClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                int dot = name.lastIndexOf('.');
                if (dot > 0 && SHARED.contains(name.substring(0, dot))) {
                    return kit.loadClass(name);
                }
                return super.loadClass(name, resolve);
            }

            @Override
            public URL getResource(String name) {
                return ClassLoader.getPlatformClassLoader().getResource(name);
            }

            @Override
            public Enumeration<URL> getResources(String name) throws IOException {
                return ClassLoader.getPlatformClassLoader().getResources(name);
            }
        };
        return new URLClassLoader("ferry-plugin", list.toArray(URL[]::new), shared);
    }

    /** Serves {@code in} up to {@code at} bytes, then says PAUSED and blocks until the JVM is killed. */
    private static final class PausingStream extends FilterInputStream {
        private long left;
        private final PrintStream out;

        PausingStream(InputStream in, long at, PrintStream out) {
            super(in);
            this.left = at;
            this.out = out;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                pauseForever(out);
            }
            int n = super.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }
}
