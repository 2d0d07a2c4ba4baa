package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The part of Go's text/template that scripts use with {@code skopeo inspect --format}: text with actions
 * {@code {{.Field}}}, {@code {{.Field.Key}}}, {@code {{.}}} and {@code {{json .Field}}}, values printed as Go prints
 * them ({@code [a b]} for lists, {@code map[k:v]} for maps, {@code <no value>} for a missing key). Escapes
 * {@code \n} and {@code \t} in the template are written as Go's shell users expect from skopeo's examples.
 */
final class GoTemplate {
    private final List<Object> parts; // String (text) or Action

    private record Action(boolean json, List<String> path) {}

    private GoTemplate(List<Object> parts) {
        this.parts = parts;
    }

    /**
     * @throws UsageException naming what is wrong with the template
     */
    static GoTemplate parse(String template) throws UsageException {
        List<Object> parts = new ArrayList<>();
        int at = 0;
        while (at < template.length()) {
            int open = template.indexOf("{{", at);
            if (open < 0) {
                parts.add(template.substring(at));
                break;
            }
            if (open > at) {
                parts.add(template.substring(at, open));
            }
            int close = template.indexOf("}}", open + 2);
            if (close < 0) {
                throw new UsageException("unclosed action at \"" + template.substring(open) + "\"", null);
            }
            parts.add(action(template.substring(open + 2, close).strip()));
            at = close + 2;
        }
        return new GoTemplate(parts);
    }

    private static Object action(String text) throws UsageException {
        if (text.startsWith("\"") && text.endsWith("\"") && text.length() >= 2) { // a string constant: {{"\n"}}
            return text.substring(1, text.length() - 1).replace("\\n", "\n").replace("\\t", "\t");
        }
        boolean json = false;
        String field = text;
        if (text.startsWith("json ")) {
            json = true;
            field = text.substring("json ".length()).strip();
        }
        if (!field.startsWith(".") || field.contains(" ")) {
            throw new UsageException(
                    "cannot evaluate {{" + text + "}}",
                    "ferry's templates support {{.Field}}, {{.Field.Key}}, {{json .Field}} and {{\"text\"}}");
        }
        List<String> path = new ArrayList<>();
        if (!field.equals(".")) {
            for (String part : field.substring(1).split("\\.", -1)) {
                if (part.isEmpty()) {
                    throw new UsageException("bad field {{" + text + "}}", null);
                }
                path.add(part);
            }
        }
        return new Action(json, path);
    }

    /**
     * @throws UsageException for a field the data lacks (as Go: "can't evaluate field")
     */
    String apply(JsonNode data) throws UsageException {
        StringBuilder out = new StringBuilder();
        for (Object part : parts) {
            if (part instanceof String text) {
                out.append(text);
                continue;
            }
            Action action = (Action) part;
            JsonNode node = data;
            boolean missing = false;
            for (int i = 0; i < action.path().size(); i++) {
                String name = action.path().get(i);
                if (node == null || node.isNull()) {
                    missing = true;
                    break;
                }
                if (!node.isObject()) {
                    throw new UsageException("--format: can't evaluate field " + name + " in " + kind(node), null);
                }
                if (!node.has(name)) {
                    if (i == 0) {
                        List<String> names = new ArrayList<>();
                        node.fieldNames().forEachRemaining(names::add);
                        throw new UsageException(
                                "--format: can't evaluate field " + name, "the fields are " + String.join(", ", names));
                    }
                    missing = true; // a map key that is not there: Go prints <no value>
                    break;
                }
                node = node.get(name);
            }
            if (action.json()) {
                out.append(missing ? "null" : node.toString());
            } else if (missing) {
                out.append("<no value>");
            } else {
                print(
                        node,
                        out,
                        action.path().isEmpty()
                                ? ""
                                : action.path().get(action.path().size() - 1));
            }
        }
        return out.toString();
    }

    private static String kind(JsonNode node) {
        return node.isArray()
                ? "a list"
                : node.isTextual()
                        ? "a string"
                        : "a " + node.getNodeType().toString().toLowerCase(Locale.ROOT);
    }

    /**
     * A time as Go's time.Time prints with %v: {@code 2006-01-02 15:04:05.999999999 -0700 MST} (UTC named UTC; a
     * fixed offset from a parsed time has no name, so Go prints the offset again).
     */
    static String goTimeString(String rfc3339) {
        try {
            OffsetDateTime time = OffsetDateTime.parse(rfc3339);
            StringBuilder out =
                    new StringBuilder(time.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT)));
            if (time.getNano() != 0) {
                out.append('.')
                        .append(String.format(Locale.ROOT, "%09d", time.getNano())
                                .replaceAll("0+$", ""));
            }
            String offset = time.format(DateTimeFormatter.ofPattern("xx", Locale.ROOT));
            out.append(' ').append(offset).append(' ').append(time.getOffset().getTotalSeconds() == 0 ? "UTC" : offset);
            return out.toString();
        } catch (DateTimeParseException e) {
            return rfc3339;
        }
    }

    /** The fields that are Go slices (nil prints as {@code []}). */
    private static final Set<String> LISTS =
            Set.of("RepoTags", "Layers", "LayersData", "Env", "DiffIDs", "Entrypoint", "Cmd", "ExposedPorts");

    /** The fields that are Go maps (printed {@code map[k:v]}, sorted); other objects are structs. */
    private static boolean isMap(String field) {
        return field.equals("Labels") || field.equals("Annotations");
    }

    /** A value as Go's fmt prints it with %v; {@code field} is its name in its parent. */
    private static void print(JsonNode node, StringBuilder out, String field) {
        if (node == null || node.isNull()) {
            out.append(isMap(field) ? "map[]" : LISTS.contains(field) ? "[]" : "<nil>"); // nil map, slice, pointer
        } else if (node.isTextual() && field.equals("Created")) {
            out.append(goTimeString(node.textValue()));
        } else if (node.isTextual()) {
            out.append(node.textValue());
        } else if (node.isArray()) {
            out.append('[');
            for (int i = 0; i < node.size(); i++) {
                if (i > 0) {
                    out.append(' ');
                }
                print(node.get(i), out, "");
            }
            out.append(']');
        } else if (node.isObject()) {
            if (isMap(field)) { // a map: sorted keys
                Map<String, JsonNode> sorted = new TreeMap<>();
                node.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue()));
                out.append("map[");
                boolean first = true;
                for (Map.Entry<String, JsonNode> e : sorted.entrySet()) {
                    if (!first) {
                        out.append(' ');
                    }
                    first = false;
                    out.append(e.getKey()).append(':');
                    print(e.getValue(), out, "");
                }
                out.append(']');
            } else { // a struct: its values in order
                out.append('{');
                Iterator<Map.Entry<String, JsonNode>> values = node.fields();
                while (values.hasNext()) {
                    Map.Entry<String, JsonNode> value = values.next();
                    print(value.getValue(), out, value.getKey());
                    if (values.hasNext()) {
                        out.append(' ');
                    }
                }
                out.append('}');
            }
        } else {
            out.append(node.asText());
        }
    }
}
