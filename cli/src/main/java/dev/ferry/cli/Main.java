package dev.ferry.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;

/** The {@code ferry} command. */
public final class Main {
    /** picocli's system property naming the built-in converters it must not register (regular expressions). */
    static final String CONVERTERS_EXCLUDES = "picocli.converters.excludes";

    /** The types whose converters are not registered: ferry has no option of these. */
    static final String EXCLUDED_CONVERTERS = "java\\.time\\..*,java\\.sql\\..*";

    /** picocli's system property that keeps its default factory from looking for Groovy. */
    static final String DISABLE_CLOSURES = "picocli.disable.closures";

    private Main() {}

    public static void main(String[] args) {
        // Start-up: Guice generates no bytecode (its fast classes cost ~10 ms per command and buy nothing for
        // objects made once) and records no binding sources (a stack walk per binding, for error messages ferry
        // never shows). Set before any Guice class loads; an explicit -D wins.
        defaultProperty("guice_bytecode_gen_option", "DISABLED");
        defaultProperty("guice_include_stack_traces", "OFF");
        // picocli registers converters for java.time and java.sql types by reflection in every CommandLine it makes,
        // initialising java.time's formatters (a few ms per start); no option of ferry's has such a type
        // (StartUpTest checks the whole tree).
        defaultProperty(CONVERTERS_EXCLUDES, EXCLUDED_CONVERTERS);
        // picocli's default factory looks for Groovy's Closure class once, by name: a class that is not there, which
        // the class loader looks for in every jar of the class path, opening each (30 jars, 9,000 entries: 20-60 ms
        // of a --help, which otherwise opens no jar but picocli's)
        defaultProperty(DISABLE_CLOSURES, "true");
        String heapReport = System.getenv("FERRY_HEAP_REPORT");
        if (heapReport != null && !heapReport.isEmpty()) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> reportPeakHeap(heapReport)));
        }
        // Standard output as a stream that reports its errors (System.out, a PrintStream, hides them): output cut
        // short by a closed pipe is a failure.
        System.exit(Ferry.run(new FileOutputStream(FileDescriptor.out), System.err, args));
    }

    /**
     * For the benchmarks: writes the peak heap use, in MiB, to {@code file}. The sum of each heap pool's own peak:
     * an upper bound, since the pools need not peak at once.
     */
    private static void reportPeakHeap(String file) {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        try {
            Files.writeString(Path.of(file), Long.toString((peak + (1 << 19)) >> 20) + "\n");
        } catch (IOException e) {
            System.err.println("ferry: cannot write the heap report to " + file + ": " + e.getMessage());
        }
    }

    private static void defaultProperty(String name, String value) {
        if (System.getProperty(name) == null) {
            System.setProperty(name, value);
        }
    }
}
