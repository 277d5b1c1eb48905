using Microsoft.Extensions.Logging;
using UsageBatch.Configuration;
using UsageBatch.Providers.Pacing;

namespace UsageBatch.Providers;

/// <summary>
/// Builds the client for one provider account through its module. The returned provider is also
/// <see cref="IDisposable"/> (it owns the HTTP connections); dispose it after the run.
/// </summary>
internal static class ProviderClientFactory
{
    public static IUsageProvider Create(string accountName, ProviderAccountOptions options, string apiKey, TimeProvider time, ILoggerFactory loggers) =>
        Create(accountName, options, apiKey, time, loggers, Backoff.Default);

    /// <summary>Tests pass a deterministic, fast <paramref name="backoff"/>.</summary>
    internal static IUsageProvider Create(string accountName, ProviderAccountOptions options, string apiKey, TimeProvider time, ILoggerFactory loggers, Backoff backoff)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(apiKey);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(loggers);

        return options.Module.CreateClient(new ProviderHttp(options, apiKey, time, loggers), accountName, options, backoff);
    }
}
