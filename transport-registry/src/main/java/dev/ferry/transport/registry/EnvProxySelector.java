package dev.ferry.transport.registry;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Proxies from the environment, as Go programs (docker, skopeo) read them: HTTPS_PROXY for https URLs, HTTP_PROXY
 * for http ones (lowercase names too), none for hosts NO_PROXY lists (exact names, {@code .suffix} or
 * {@code suffix} for a domain and its subdomains, {@code HOST:PORT}, or {@code *}). Proxy credentials in the URL are
 * not supported.
 */
final class EnvProxySelector extends ProxySelector {
    private final Proxy https;
    private final Proxy http;
    private final List<String> noProxy;

    private EnvProxySelector(Proxy https, Proxy http, List<String> noProxy) {
        this.https = https;
        this.http = http;
        this.noProxy = noProxy;
    }

    /** The selector for {@code env}, or null when it names no proxy. */
    static EnvProxySelector from(Map<String, String> env) {
        Proxy https = proxy(first(env, "HTTPS_PROXY", "https_proxy"));
        Proxy http = proxy(first(env, "HTTP_PROXY", "http_proxy"));
        if (https == null && http == null) {
            return null;
        }
        String no = first(env, "NO_PROXY", "no_proxy");
        List<String> entries = no == null
                ? List.of()
                : Arrays.stream(no.split(","))
                        .map(s -> s.strip().toLowerCase(Locale.ROOT))
                        .filter(s -> !s.isEmpty())
                        .toList();
        return new EnvProxySelector(https, http, entries);
    }

    private static String first(Map<String, String> env, String... names) {
        for (String name : names) {
            String v = env.get(name);
            if (v != null && !v.isBlank()) {
                return v.strip();
            }
        }
        return null;
    }

    private static Proxy proxy(String url) {
        if (url == null) {
            return null;
        }
        URI uri = URI.create(url.contains("://") ? url : "http://" + url);
        int port = uri.getPort() >= 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
        return new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(uri.getHost(), port));
    }

    boolean bypass(String host, int port) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.equals("localhost") || h.startsWith("127.") || h.equals("::1")) {
            return true; // as Go's net/http: loopback is never proxied
        }
        for (String entry : noProxy) {
            if (entry.equals("*")) {
                return true;
            }
            String e = entry;
            int colon = e.lastIndexOf(':');
            if (colon > 0
                    && e.indexOf(']') < colon
                    && e.chars().filter(c -> c == ':').count() == 1) {
                if (!e.substring(colon + 1).equals(String.valueOf(port))) {
                    continue;
                }
                e = e.substring(0, colon);
            }
            if (e.startsWith("*.")) {
                e = e.substring(1);
            }
            if (e.startsWith(".") ? h.endsWith(e) || h.equals(e.substring(1)) : h.equals(e) || h.endsWith("." + e)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public List<Proxy> select(URI uri) {
        Proxy chosen = "https".equalsIgnoreCase(uri.getScheme()) ? https : http;
        int port = uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        if (chosen == null || uri.getHost() == null || bypass(uri.getHost(), port)) {
            return List.of(Proxy.NO_PROXY);
        }
        return List.of(chosen);
    }

    @Override
    public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
        // nothing to remember
    }
}
