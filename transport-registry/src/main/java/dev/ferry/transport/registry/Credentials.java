package dev.ferry.transport.registry;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A user name and a secret for one registry, and where they came from (for messages; never the secret).
 *
 * @param username the user name; empty with an identity token
 * @param password the password, or the identity token when {@code identityToken} is set
 * @param identityToken whether {@code password} is an OAuth2 refresh token ({@code identitytoken} of an auth file,
 *     or {@code <token>} from a credential helper)
 * @param origin where they came from, for example {@code --creds} or {@code /root/.docker/config.json}
 */
record Credentials(String username, String password, boolean identityToken, String origin) {
    Credentials {
        requireNonNull(username, "username is null");
        requireNonNull(password, "password is null");
        requireNonNull(origin, "origin is null");
    }

    /** {@code USER:PASSWORD} as {@code --creds} takes it. */
    static Credentials parse(String userColonPassword, String origin) {
        int colon = userColonPassword.indexOf(':');
        if (colon < 0) {
            return new Credentials(userColonPassword, "", false, origin);
        }
        return new Credentials(
                userColonPassword.substring(0, colon), userColonPassword.substring(colon + 1), false, origin);
    }

    /** The value of an {@code Authorization: Basic} header. */
    String basicHeader() {
        return "Basic "
                + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "Credentials[" + (identityToken ? "identity token" : "user " + username) + " from " + origin + "]";
    }
}
