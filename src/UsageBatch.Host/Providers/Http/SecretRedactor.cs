using System.Text;

namespace UsageBatch.Providers.Http;

/// <summary>
/// Last line of defence for Invariant I8 (README "Reliability"): every outcome message passes through here, so a key echoed by a
/// misbehaving server or a transport error can never reach the ledger, the report or the log.
/// </summary>
internal sealed class SecretRedactor
{
    private const string Mask = "[redacted]";
    private readonly string[] _secrets;

    public SecretRedactor(string apiKey)
    {
        ArgumentNullException.ThrowIfNull(apiKey);
        _secrets = apiKey.Length == 0
            ? []
            : [apiKey, Convert.ToBase64String(Encoding.UTF8.GetBytes(apiKey + ":"))];
    }

    public string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var secret in _secrets)
        {
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
        }

        return text;
    }

    public ProviderOutcome Redact(ProviderOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var message = Redact(outcome.Message);
        return ReferenceEquals(message, outcome.Message) || message == outcome.Message ? outcome : outcome with { Message = message };
    }
}
