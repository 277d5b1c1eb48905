namespace UsageBatch.Emulator;

/// <summary>
/// A fully rendered answer. Handlers build these under the state lock and write them afterwards, which is also
/// what lets Chargebee's idempotency cache replay a response byte for byte.
/// </summary>
internal sealed record ProviderResponse(int Status, string Body, string ContentType = "application/json; charset=utf-8")
{
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public static ProviderResponse Json<T>(int status, T value) => new(status, EmulatorJson.Serialize(value));
}
