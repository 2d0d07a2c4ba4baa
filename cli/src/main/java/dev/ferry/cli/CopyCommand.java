package dev.ferry.cli;

import com.google.inject.Inject;
import dev.ferry.engine.CopyEngine;
import dev.ferry.engine.CopyOptions;
import dev.ferry.engine.CopyResult;
import dev.ferry.engine.TransportRegistry;
import dev.ferry.model.ManifestFormat;
import dev.ferry.model.MediaTypes.Compression;
import dev.ferry.model.Platform;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.support.OutputFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ferry copy SRC DEST}: copies an image, verified, and prints the destination manifest's digest. */
@Command(
        name = "copy",
        mixinStandardHelpOptions = true,
        description = {
            "Copy an image from SRC to DEST, verifying every blob while it streams.",
            "Prints the digest of the manifest written to DEST."
        })
public class CopyCommand implements Callable<Integer>, TransportFlags.OpensImages, ErrorHandler.Writes {
    static final class FormatConverter implements picocli.CommandLine.ITypeConverter<ManifestFormat> {
        @Override
        public ManifestFormat convert(String value) {
            try {
                return ManifestFormat.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class CompressionConverter implements picocli.CommandLine.ITypeConverter<Compression> {
        @Override
        public Compression convert(String value) {
            return switch (value) {
                case "none" -> Compression.NONE;
                case "gzip" -> Compression.GZIP;
                case "zstd" -> Compression.ZSTD;
                default ->
                    throw new picocli.CommandLine.TypeConversionException(
                            "unknown compression \"" + value + "\" (known: none, gzip, zstd)");
            };
        }
    }

    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SRC", description = "The image to read, for example oci:./in:latest.")
    String source;

    @Parameters(
            index = "1",
            paramLabel = "DEST",
            description = "Where to write it, for example oci-archive:out.tar:v1.")
    String destination;

    @ArgGroup(exclusive = true)
    Selection selection;

    static class Selection {
        @Option(
                names = "--platform",
                paramLabel = "OS/ARCH[/VARIANT]",
                converter = PlatformConverter.class,
                description = "From an index, copy the image for this platform (default: this machine's).")
        Platform platform;

        @Option(names = "--all", description = "From an index, copy every image and the index itself.")
        boolean all;
    }

    @Mixin
    TransportOptions transportOptions;

    @Option(
            names = "--src-transport",
            paramLabel = "NAME",
            description = "The transport of SRC, which is then written without a prefix.")
    String sourceTransport;

    @Option(
            names = "--dest-transport",
            paramLabel = "NAME",
            description = "The transport of DEST, which is then written without a prefix.")
    String destinationTransport;

    @Option(
            names = "--format",
            paramLabel = "oci|v2s2",
            converter = FormatConverter.class,
            description = "Write manifests and configs in this format (default: the source's, unless DEST needs"
                    + " another).")
    ManifestFormat format;

    @Option(
            names = "--compress",
            paramLabel = "none|gzip|zstd",
            converter = CompressionConverter.class,
            description = "Recompress layers (digests change; diffIDs never do). Default: keep, unless DEST needs"
                    + " another.")
    Compression compression;

    @Option(
            names = "--no-link",
            description = "Copy every blob's bytes, even where DEST could hardlink the"
                    + " source's file (oci: to oci: on one filesystem; blobs are verified either way).")
    boolean noLink;

    @Option(
            names = {"-j", "--jobs"},
            paramLabel = "N",
            defaultValue = "" + CopyOptions.DEFAULT_JOBS,
            description = "Copy up to N blobs at once (default: ${DEFAULT-VALUE}).")
    int jobs;

    @Inject
    Transports transports;

    @Override
    public boolean twoSided() {
        return true;
    }

    @Inject
    CopyEngine engine;

    @Option(
            names = "--digestfile",
            paramLabel = "FILE",
            description = "Also write the digest of the manifest written to FILE (as skopeo copy --digestfile).")
    Path digestFile;

    @Mixin
    JsonResult jsonResult = new JsonResult();

    @Override
    public String target() {
        return destination;
    }

    @Override
    public Integer call() throws Exception {
        TransportRegistry registry =
                transportOptions.registry(transports, spec.commandLine().getErr());
        ImageReference from = sourceTransport == null
                ? registry.parse(source)
                : registry.parse(sourceTransport, source, sourceTransport + ":" + source);
        ImageReference to = destinationTransport == null
                ? registry.parse(destination)
                : registry.parse(destinationTransport, destination, destinationTransport + ":" + destination);
        if (jobs < 1) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(), "--jobs must be at least 1, got " + jobs);
        }
        CopyOptions options = CopyOptions.defaults()
                .withSourceContext(transportOptions.sourceContext())
                .withDestinationContext(transportOptions.destinationContext())
                .withFormat(format)
                .withCompression(compression)
                .withLink(!noLink)
                .withJobs(jobs);
        if (selection != null && selection.all) {
            options = options.withAllPlatforms();
        } else if (selection != null && selection.platform != null) {
            options = options.withPlatform(selection.platform);
        }
        OutputFile digestOut = digestFile == null ? null : OutputFile.check(digestFile);
        CopyResult result;
        try (Progress progress =
                Progress.open(global, spec.commandLine().getErr(), "Reading " + source, "Writing " + destination)) {
            result = engine.copy(from, to, options, jsonResult.counting(progress));
            progress.finish(result);
        }
        if (digestOut != null) {
            try (digestOut;
                    FileChannel channel = digestOut.open()) {
                channel.write(ByteBuffer.wrap(result.manifestDigest().toString().getBytes(StandardCharsets.US_ASCII)));
                digestOut.commit();
            }
        }
        if (jsonResult.enabled()) {
            jsonResult.print(spec.commandLine().getOut(), "copy", from.displayName(), to.displayName(), result);
            return 0;
        }
        spec.commandLine().getOut().println(result.manifestDigest());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
