package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The part of the code style that the formatter (spotless with palantir-java-format, run by {@code mvn verify})
 * does not check: no class is named by its fully qualified name inside code; it is imported. Comments and string
 * literals may name anything.
 */
class SourceStyleTest {
    private static final Pattern QUALIFIED = Pattern.compile(
            "(?<![\\w.@/])((?:java|javax|dev\\.ferry|org|com|picocli)(?:\\.[a-z_][a-z0-9_]*)+)\\.([A-Z]\\w*)");

    private static final Pattern STATUS = Pattern.compile("/\\*\\*\\s*\\* <b>(Contract|Internal)(, in part)?:</b>");

    /** Names that clash with {@code java.lang} and so must stay qualified. */
    private static final Set<String> ALLOWED = Set.of("com.google.inject.Module");

    @Test
    void noInlineQualifiedNames() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        assertTrue(Files.isRegularFile(root.resolve("pom.xml")), "the project root is the cli module's parent");
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : (Iterable<Path>) files.filter(SourceStyleTest::isSource)::iterator) {
                found.addAll(qualifiedNames(root.relativize(file).toString(), Files.readString(file)));
            }
        }
        assertEquals(List.of(), found, "import these classes instead of naming them in full");
    }

    /**
     * Every package of Ferry's main code says in its {@code package-info.java} whether it is a contract (users and
     * transports may rely on it) or internal (it may change in any release), or which of its parts are.
     */
    @Test
    void everyPackageSaysWhetherItIsAContract() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        Set<Path> packages = new TreeSet<>();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(SourceStyleTest::isSource)
                    .filter(f -> f.toString().contains("/src/main/java/"))
                    .forEach(f -> packages.add(f.getParent()));
        }
        assertTrue(packages.size() > 10, packages.toString());
        List<String> missing = new ArrayList<>();
        for (Path dir : packages) {
            Path info = dir.resolve("package-info.java");
            String text = Files.isRegularFile(info) ? Files.readString(info) : "";
            if (!STATUS.matcher(text).find()) {
                missing.add(root.relativize(dir).toString());
            }
        }
        assertEquals(
                List.of(),
                missing,
                "write a package-info.java whose Javadoc starts with <b>Contract:</b>, <b>Internal:</b>, or"
                        + " <b>Contract, in part:</b> / <b>Internal, in part:</b> naming the parts");
    }

    @Test
    void theCheckFindsAQualifiedNameAndIgnoresCommentsAndStrings() {
        String source = "package a;\nimport java.util.List;\n/** {@link java.util.Map} */\nclass A {\n"
                + "  // java.util.Set\n  String s = \"java.util.Deque\";\n  java.util.Map<String, String> m;\n}\n";
        assertEquals(List.of("A.java:7: java.util.Map"), qualifiedNames("A.java", source));
    }

    private static boolean isSource(Path p) {
        String s = p.toString();
        return s.endsWith(".java") && !s.contains("/target/") && !s.contains("/.git/");
    }

    static List<String> qualifiedNames(String name, String source) {
        String code = withoutCommentsAndStrings(source);
        List<String> found = new ArrayList<>();
        String[] lines = code.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].stripLeading().startsWith("import ")
                    || lines[i].stripLeading().startsWith("package ")) {
                continue;
            }
            Matcher m = QUALIFIED.matcher(lines[i]);
            while (m.find()) {
                String qualified = m.group(1) + "." + m.group(2);
                if (!ALLOWED.contains(qualified)) {
                    found.add(name + ":" + (i + 1) + ": " + qualified);
                }
            }
        }
        return found;
    }

    /** The source with comments and string and character literals blanked out, line breaks kept. */
    static String withoutCommentsAndStrings(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            int end;
            if (s.startsWith("//", i)) {
                end = s.indexOf('\n', i);
                end = end < 0 ? s.length() : end;
            } else if (s.startsWith("/*", i)) {
                end = s.indexOf("*/", i + 2);
                end = end < 0 ? s.length() : end + 2;
            } else if (s.startsWith("\"\"\"", i)) {
                end = s.indexOf("\"\"\"", i + 3);
                end = end < 0 ? s.length() : end + 3;
            } else if (s.charAt(i) == '"' || s.charAt(i) == '\'') {
                char quote = s.charAt(i);
                end = i + 1;
                while (end < s.length() && s.charAt(end) != quote && s.charAt(end) != '\n') {
                    end += s.charAt(end) == '\\' ? 2 : 1;
                }
                end = Math.min(end + 1, s.length());
            } else {
                out.append(s.charAt(i++));
                continue;
            }
            for (int k = i; k < end; k++) {
                out.append(s.charAt(k) == '\n' ? '\n' : ' ');
            }
            i = end;
        }
        return out.toString();
    }
}
