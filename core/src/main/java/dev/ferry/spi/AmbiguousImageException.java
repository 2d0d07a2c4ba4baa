package dev.ferry.spi;

import java.util.List;

/** A reference without a name matches several images; the user must pick one. */
public class AmbiguousImageException extends FerryException {
    private final List<String> candidates;

    public AmbiguousImageException(String reference, List<String> candidates, String hint) {
        super(
                reference + " holds " + candidates.size() + " images (" + String.join(", ", candidates)
                        + ") and none was named",
                hint);
        this.candidates = List.copyOf(candidates);
    }

    public List<String> candidates() {
        return candidates;
    }
}
