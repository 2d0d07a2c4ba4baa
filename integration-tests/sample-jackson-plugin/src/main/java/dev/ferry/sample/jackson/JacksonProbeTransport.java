package dev.ferry.sample.jackson;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.spi.Capabilities;
import dev.ferry.spi.ImageNotFoundException;
import dev.ferry.spi.ImageReference;
import dev.ferry.spi.ImageSink;
import dev.ferry.spi.ImageSource;
import dev.ferry.spi.InvalidReferenceException;
import dev.ferry.spi.OpenContext;
import dev.ferry.spi.OperationNotSupportedException;
import dev.ferry.spi.Transport;
import dev.ferry.spi.TransportOption;
import java.util.List;

/**
 * {@code jackson-probe:ANYTHING}: a read-only transport that holds no images and says, when asked for one, which
 * Jackson it sees (and the note given with its option). Its plugin folder bundles a Jackson other than Ferry's, so the answer proves isolation.
 */
public final class JacksonProbeTransport implements Transport {
    @Override
    public String name() {
        return "jackson-probe";
    }

    /** An option of a plugin, which ferry offers as --probe-note, --src-probe-note and --dest-probe-note. */
    static final TransportOption NOTE = TransportOption.text(
                    "probe-note", "TEXT", "A note the probe repeats when asked for an image.")
            .withEnvironment("FERRY_PROBE_NOTE");

    @Override
    public List<TransportOption> options() {
        return List.of(NOTE);
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.READ_ONLY;
    }

    @Override
    public ImageReference parse(String reference) throws InvalidReferenceException {
        if (reference.isBlank() || reference.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new InvalidReferenceException(
                    name() + ":" + reference.replaceAll("\\p{Cntrl}", "?"),
                    "a probe reference is printable text",
                    null);
        }
        return new Probe(this, reference);
    }

    /** A reference: any printable text, equal by value. */
    record Probe(JacksonProbeTransport transport, String stringWithinTransport) implements ImageReference {
        @Override
        public ImageSource openSource(OpenContext context) throws ImageNotFoundException {
            throw new ImageNotFoundException(
                    displayName(),
                    "this probe holds no images; it sees jackson-databind "
                            + new ObjectMapper().version().toString()
                            + context.option(NOTE)
                                    .map(n -> "; probe-note: " + n)
                                    .orElse(""),
                    null);
        }

        @Override
        public ImageSink openSink(OpenContext context) throws OperationNotSupportedException {
            throw new OperationNotSupportedException(transport.name(), "write images");
        }
    }
}
