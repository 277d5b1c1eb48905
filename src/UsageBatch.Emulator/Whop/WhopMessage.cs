namespace UsageBatch.Emulator.Whop;

/// <summary>v5's <c>ErrorResponse</c>: just a message (the provider's API docs).</summary>
internal sealed record WhopMessage(string Message)
{
    public static ProviderResponse Respond(int status, string message) => ProviderResponse.Json(status, new WhopMessage(message));
}
