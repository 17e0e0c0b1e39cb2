package dev.loupe.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code loupe} command line. */
@Command(
    name = "loupe",
    mixinStandardHelpOptions = true,
    versionProvider = LoupeCommand.Version.class,
    description = "Turns images into vision-language training data on Temporal.",
    subcommands = {
      RunCommand.class,
      WorkerCommand.class,
      StartCommand.class,
      StatusCommand.class,
      PoolsCommand.class,
      ExportCommand.class,
      MixCommand.class,
      RetryFailedCommand.class,
      CommandLine.HelpCommand.class
    })
public final class LoupeCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line with Loupe's error handling: messages, not stack traces, for bad input. */
  public static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new LoupeCommand());
    commandLine.setExecutionExceptionHandler(
        (exception, line, parseResult) -> {
          Throwable cause = exception;
          while (cause.getCause() != null
              && (cause instanceof com.google.inject.ProvisionException
                  || cause instanceof com.google.inject.CreationException)) {
            cause = cause.getCause();
          }
          if (cause instanceof com.google.inject.CreationException creation
              && !creation.getErrorMessages().isEmpty()
              && creation.getErrorMessages().iterator().next().getCause() != null) {
            cause = creation.getErrorMessages().iterator().next().getCause();
          }
          if (cause instanceof IllegalArgumentException || cause instanceof UserError) {
            line.getErr().println("loupe: " + cause.getMessage());
            return 2;
          }
          for (Throwable link = cause; link != null; link = link.getCause()) {
            if (link instanceof io.temporal.payload.codec.PayloadCodecException undecodable) {
              // An encrypted payload without its key: a setting to fix, not a crash.
              line.getErr().println("loupe: " + undecodable.getMessage());
              return 2;
            }
          }
          line.getErr().println("loupe: " + cause);
          cause.printStackTrace(line.getErr());
          return 1;
        });
    return commandLine;
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = LoupeCommand.class.getPackage().getImplementationVersion();
      return new String[] {"loupe " + (version == null ? "dev" : version)};
    }
  }
}
