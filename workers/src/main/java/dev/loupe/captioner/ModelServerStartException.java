package dev.loupe.captioner;

/**
 * The captioner pool's model server did not start the first time: its command could not run, its
 * port was taken, or it exited before it answered. The message names why, with the server's last
 * lines of output.
 */
public final class ModelServerStartException extends Exception {
  private static final long serialVersionUID = 1L;

  ModelServerStartException(String message) {
    super(message);
  }
}
