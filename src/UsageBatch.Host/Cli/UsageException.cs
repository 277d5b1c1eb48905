namespace UsageBatch.Cli;

/// <summary>Arguments that cannot work (exit 2); the message names the option and the valid choices.</summary>
internal sealed class UsageException(string message) : Exception(message);
