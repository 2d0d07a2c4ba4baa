package dev.ferry.transport.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One {@code WWW-Authenticate} challenge: a scheme ({@code basic} or {@code bearer}, lowercase) and its parameters
 * ({@code realm}, {@code service}, {@code scope}, {@code error}).
 */
record Challenge(String scheme, Map<String, String> params) {
    Challenge {
        scheme = scheme.toLowerCase(Locale.ROOT);
        params = Map.copyOf(params);
    }

    String param(String name) {
        return params.get(name);
    }

    boolean isBearer() {
        return scheme.equals("bearer");
    }

    boolean isBasic() {
        return scheme.equals("basic");
    }

    /** Parses every challenge of the given header values; unparseable text is skipped. */
    static List<Challenge> parse(List<String> headers) {
        List<Challenge> result = new ArrayList<>();
        for (String header : headers) {
            parseOne(header, result);
        }
        return result;
    }

    /** The first Bearer challenge, else the first Basic one, else null. */
    static Challenge preferred(List<Challenge> challenges) {
        for (Challenge c : challenges) {
            if (c.isBearer()) {
                return c;
            }
        }
        for (Challenge c : challenges) {
            if (c.isBasic()) {
                return c;
            }
        }
        return null;
    }

    private static void parseOne(String header, List<Challenge> out) {
        int i = 0;
        int n = header.length();
        while (i < n) {
            while (i < n && (header.charAt(i) == ' ' || header.charAt(i) == ',')) {
                i++;
            }
            int start = i;
            while (i < n && header.charAt(i) != ' ' && header.charAt(i) != ',') {
                i++;
            }
            if (start == i) {
                break;
            }
            String scheme = header.substring(start, i);
            Map<String, String> params = new LinkedHashMap<>();
            while (i < n) {
                int save = i;
                while (i < n && (header.charAt(i) == ' ' || header.charAt(i) == ',')) {
                    i++;
                }
                int keyStart = i;
                while (i < n && header.charAt(i) != '=' && header.charAt(i) != ' ' && header.charAt(i) != ',') {
                    i++;
                }
                if (i >= n || header.charAt(i) != '=') {
                    i = save; // the next scheme starts here
                    break;
                }
                String key = header.substring(keyStart, i).toLowerCase(Locale.ROOT);
                i++;
                StringBuilder value = new StringBuilder();
                if (i < n && header.charAt(i) == '"') {
                    i++;
                    while (i < n && header.charAt(i) != '"') {
                        if (header.charAt(i) == '\\' && i + 1 < n) {
                            i++;
                        }
                        value.append(header.charAt(i++));
                    }
                    i++;
                } else {
                    while (i < n && header.charAt(i) != ',' && header.charAt(i) != ' ') {
                        value.append(header.charAt(i++));
                    }
                }
                params.put(key, value.toString());
            }
            out.add(new Challenge(scheme, params));
        }
    }

    @Override
    public String toString() {
        return scheme + " " + params;
    }
}
