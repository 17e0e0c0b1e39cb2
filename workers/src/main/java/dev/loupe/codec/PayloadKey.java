package dev.loupe.codec;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * One AES-256 key that encrypts payloads, and the ID written beside each payload it encrypts so
 * that a process holding several keys knows which one opens it. {@link #toString()} never shows the
 * key.
 *
 * @param id names the key in payload metadata; not secret
 * @param key 32 bytes of AES key material
 */
public record PayloadKey(String id, SecretKey key) {
  /** Bytes of key material: AES-256. */
  public static final int KEY_BYTES = 32;

  public PayloadKey {
    if (id == null || id.isBlank() || !id.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new IllegalArgumentException(
          "a payload key ID must be 1 to 64 letters, digits, '.', '_' or '-': '" + id + "'");
    }
    if (key == null || key.getEncoded().length != KEY_BYTES) {
      throw new IllegalArgumentException("a payload key must be " + KEY_BYTES + " bytes (AES-256)");
    }
  }

  /**
   * A key from its base64 text (standard or URL-safe alphabet).
   *
   * @param variable the environment variable it came from, named in errors
   * @param id the key's ID, or null for one derived from the key
   */
  public static PayloadKey fromBase64(String variable, String base64, String id) {
    byte[] material;
    try {
      String trimmed = base64.strip();
      material =
          trimmed.indexOf('-') >= 0 || trimmed.indexOf('_') >= 0
              ? Base64.getUrlDecoder().decode(trimmed)
              : Base64.getDecoder().decode(trimmed);
    } catch (IllegalArgumentException notBase64) {
      throw new IllegalArgumentException(
          variable + " is not base64: generate a key with `openssl rand -base64 32`");
    }
    if (material.length != KEY_BYTES) {
      throw new IllegalArgumentException(
          variable
              + " holds "
              + material.length
              + " bytes; it must hold "
              + KEY_BYTES
              + " (AES-256): generate one with `openssl rand -base64 32`");
    }
    return new PayloadKey(
        id == null ? derivedId(material) : id, new SecretKeySpec(material, "AES"));
  }

  /**
   * An ID from the key itself, so that keys set without an ID still tell apart: a hash of a fixed
   * label and the key, of which 8 bytes are kept. It reveals nothing usable about the key.
   */
  private static String derivedId(byte[] material) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      sha256.update("loupe payload key id\0".getBytes(StandardCharsets.US_ASCII));
      byte[] digest = sha256.digest(material);
      return "k-" + HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException impossible) {
      throw new IllegalStateException("every JDK has SHA-256", impossible);
    }
  }

  @Override
  public String toString() {
    return "PayloadKey[id=" + id + ", key=<redacted>]";
  }
}
