package dev.ferry.transport.registry;

/** The error codes of the distribution spec, in words, with what to do. */
final class ErrorCodes {
    private ErrorCodes() {}

    static String describe(String code) {
        return switch (code) {
            case "BLOB_UNKNOWN" -> "the blob is not in the repository";
            case "BLOB_UPLOAD_INVALID" -> "the blob upload is invalid";
            case "BLOB_UPLOAD_UNKNOWN" -> "the blob upload is unknown to the registry (it may have expired)";
            case "DIGEST_INVALID" -> "the content does not match its digest";
            case "MANIFEST_BLOB_UNKNOWN" -> "the manifest names a blob the repository does not have";
            case "MANIFEST_INVALID" -> "the registry refused the manifest as invalid";
            case "MANIFEST_UNKNOWN" -> "no such manifest";
            case "MANIFEST_UNVERIFIED" -> "the manifest's signature does not verify";
            case "NAME_INVALID" -> "invalid repository name";
            case "NAME_UNKNOWN" -> "no such repository";
            case "SIZE_INVALID" -> "the content does not have the size given";
            case "TAG_INVALID" -> "invalid tag";
            case "UNAUTHORIZED" -> "authentication required";
            case "DENIED" -> "access denied";
            case "UNSUPPORTED" -> "the registry does not support this operation";
            case "TOOMANYREQUESTS" -> "too many requests";
            default -> null;
        };
    }

    static String hint(String code) {
        return switch (code) {
            case "MANIFEST_INVALID", "MANIFEST_BLOB_UNKNOWN" ->
                "the registry may not accept this manifest type; try --format v2s2 or --format oci";
            case "BLOB_UPLOAD_INVALID", "BLOB_UPLOAD_UNKNOWN" -> "run the copy again";
            case "DIGEST_INVALID", "SIZE_INVALID" ->
                "the bytes changed on the way (a proxy?) or the source is corrupt; run the copy again";
            case "NAME_INVALID", "TAG_INVALID" -> "check the reference";
            case "DENIED", "UNAUTHORIZED" -> "check the credentials and that they may access the repository";
            case "TOOMANYREQUESTS" -> "wait, log in, or pass --retry-times and --retry-delay";
            case "UNSUPPORTED" -> "this registry cannot do it";
            default -> null;
        };
    }
}
