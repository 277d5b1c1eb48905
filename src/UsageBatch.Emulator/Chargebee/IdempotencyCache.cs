namespace UsageBatch.Emulator.Chargebee;

/// <summary>
/// chargebee-idempotency-key: a repeat within the window replays the stored response (the provider's API docs).
/// Callers hold the state lock, so check-process-store is atomic for racing retries.
/// </summary>
internal sealed class IdempotencyCache
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public bool TryGet(string key, DateTimeOffset now, out string fingerprint, out ProviderResponse? response)
    {
        if (_entries.TryGetValue(key, out var entry) && entry.Expires > now)
        {
            fingerprint = entry.Fingerprint;
            response = entry.Response;
            return true;
        }

        _entries.Remove(key);
        fingerprint = "";
        response = null;
        return false;
    }

    public void Store(string key, string fingerprint, ProviderResponse response, DateTimeOffset expires) =>
        _entries[key] = new Entry(fingerprint, response, expires);

    public void Clear() => _entries.Clear();

    private sealed record Entry(string Fingerprint, ProviderResponse Response, DateTimeOffset Expires);
}
