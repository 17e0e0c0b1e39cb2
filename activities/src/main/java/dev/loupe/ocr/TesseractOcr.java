package dev.loupe.ocr;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Reads the text of an image with the Tesseract command-line tool ({@code tesseract stdin stdout -l
 * eng+chi_sim}), as TextSquare puts OCR text into its prompts. Tesseract is a process per call: its
 * own threads are limited to one so that the CPU pool's concurrency decides the load.
 */
public final class TesseractOcr {
  private final String executable;
  private final Duration timeout;

  public TesseractOcr(String executable, Duration timeout) {
    this.executable = executable;
    this.timeout = timeout;
  }

  public static TesseractOcr onPath() {
    return new TesseractOcr("tesseract", Duration.ofMinutes(2));
  }

  /**
   * The recognised text, with blank lines collapsed; empty when the image has none.
   *
   * @throws IOException when Tesseract is missing, fails or takes longer than the timeout
   */
  public String read(byte[] image, String languages) throws IOException {
    if (!languages.matches("[a-z_]+(\\+[a-z_]+)*")) {
      throw new IllegalArgumentException("Tesseract languages look like eng+chi_sim: " + languages);
    }
    ProcessBuilder builder =
        new ProcessBuilder(List.of(executable, "stdin", "stdout", "-l", languages, "--psm", "3"));
    builder.environment().put("OMP_THREAD_LIMIT", "1");
    Process process;
    try {
      process = builder.start();
    } catch (IOException missing) {
      throw new IOException(
          "cannot run " + executable + " (install tesseract-ocr with its eng and chi_sim data)",
          missing);
    }
    CompletableFuture<byte[]> stdout = drain(process.getInputStream());
    CompletableFuture<byte[]> stderr = drain(process.getErrorStream());
    try (OutputStream in = process.getOutputStream()) {
      in.write(image);
    } catch (IOException closedEarly) {
      // Tesseract exits before reading everything when it cannot decode the input; its exit
      // code and stderr below say why.
    }
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IOException("tesseract took longer than " + timeout);
      }
      if (process.exitValue() != 0) {
        throw new IOException(
            "tesseract exited with "
                + process.exitValue()
                + ": "
                + new String(stderr.join(), StandardCharsets.UTF_8).strip());
      }
      return normalize(new String(stdout.join(), StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running tesseract", e);
    }
  }

  static String normalize(String text) {
    return text.replace("\f", "")
        .replaceAll("[ \\t]+\\n", "\n")
        .replaceAll("\\n{3,}", "\n\n")
        .strip();
  }

  private static CompletableFuture<byte[]> drain(InputStream stream) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (stream) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            stream.transferTo(out);
            return out.toByteArray();
          } catch (IOException e) {
            return new byte[0];
          }
        },
        Thread::startVirtualThread);
  }
}
