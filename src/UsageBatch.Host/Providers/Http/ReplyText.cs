namespace UsageBatch.Providers.Http;

/// <summary>Builds outcome messages: status, code and the provider's message, never headers, bodies of HTML pages or keys.</summary>
internal static class ReplyText
{
    private const int MaxProviderMessage = 400;

    public static string Describe(int status, string? code, string? providerMessage, string fallback)
    {
        var text = string.IsNullOrWhiteSpace(providerMessage) ? fallback : providerMessage.Trim();
        if (text.Length > MaxProviderMessage)
        {
            text = text[..MaxProviderMessage] + "…";
        }

        return code is null ? $"HTTP {status}: {text}" : $"HTTP {status} {code}: {text}";
    }

    /// <summary>The outcome of a request that got no HTTP response.</summary>
    public static ProviderOutcome NoResponse(ProviderReply reply, TimeSpan timeout)
    {
        if (reply.TimedOut)
        {
            return ProviderOutcome.Unknown($"no response within {timeout}: the provider may have recorded the request");
        }

        return TransportFailure.ProvesNotSent(reply.Error)
            ? ProviderOutcome.NotSent($"not sent: {TransportFailure.Describe(reply.Error)}")
            : ProviderOutcome.Unknown($"connection failed after the request may have been written: {TransportFailure.Describe(reply.Error)}");
    }
}
