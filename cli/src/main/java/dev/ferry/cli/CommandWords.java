package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.internal.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How {@code ferry build} reads its option values: {@code KEY=VALUE} pairs, and commands as JSON or words. */
final class CommandWords {
    private CommandWords() {}

    /**
     * Parses {@code KEY=VALUE} pairs in order.
     *
     * @throws UsageException naming {@code option} for an item that is not a pair
     */
    static Map<String, String> pairs(List<String> items, String option) throws UsageException {
        Map<String, String> map = new LinkedHashMap<>();
        for (String item : items) {
            int eq = item.indexOf('=');
            if (eq <= 0) {
                throw new UsageException(option + " " + item + " is not KEY=VALUE", "write " + option + " KEY=VALUE");
            }
            map.put(item.substring(0, eq), item.substring(eq + 1));
        }
        return map;
    }

    /**
     * A JSON array of strings ({@code ["/bin/sh","-c","run"]}), or words split on spaces; null for null.
     *
     * @throws UsageException for a JSON array that is not one of strings
     */
    static List<String> words(String value, String option) throws UsageException {
        if (value == null) {
            return null;
        }
        String v = value.strip();
        if (v.startsWith("[")) {
            JsonNode node;
            try {
                node = Json.parse(v.getBytes(StandardCharsets.UTF_8), option);
            } catch (IllegalArgumentException e) {
                throw new UsageException(option + " is not a JSON array of strings: " + value, null);
            }
            List<String> list = new ArrayList<>();
            for (JsonNode n : node) {
                if (!n.isTextual()) {
                    throw new UsageException(option + " is not a JSON array of strings: " + value, null);
                }
                list.add(n.asText());
            }
            return list;
        }
        return v.isEmpty() ? List.of() : List.of(v.split("\\s+"));
    }
}
