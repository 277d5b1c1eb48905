namespace UsageBatch.Configuration;

/// <summary>Configuration that cannot work, with every problem listed by key path (exit code 2).</summary>
internal sealed class ConfigurationException(IReadOnlyList<string> errors)
    : Exception(string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
