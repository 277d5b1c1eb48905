using Microsoft.Extensions.Logging;
using RestSharp;
using RestSharp.Authenticators;
using UsageBatch.Configuration;
using UsageBatch.Providers.Chargebee;
using UsageBatch.Providers.Http;
using UsageBatch.Providers.Pacing;
using UsageBatch.Providers.Whop;

namespace UsageBatch.Providers;

/// <summary>
/// Builds the client for one provider account: one RestClient, one pacer and one classifier per account. The
/// returned provider is also <see cref="IDisposable"/> (it owns the HTTP connections); dispose it after the run.
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

        var kind = options.Kind;
        var clientOptions = new RestClientOptions(new Uri(options.EffectiveBaseUrl))
        {
            Timeout = options.Timeout,
            // A redirect means a wrong base URL; following it could re-send a POST somewhere else.
            FollowRedirects = false,
            ThrowOnAnyError = false,
            UserAgent = "UsageBatch",
            Authenticator = kind == ProviderKind.Whop
                ? new JwtAuthenticator(apiKey)
                : new HttpBasicAuthenticator(apiKey, ""),
        };
        var client = new RestClient(clientOptions);
        var pacer = new ProviderPacer(options.EffectiveRequestsPerWindow, options.EffectiveWindow, options.MaxInFlight, time);
        var redactor = new SecretRedactor(apiKey);
        var logger = loggers.CreateLogger(kind == ProviderKind.Whop ? typeof(WhopProvider).FullName! : typeof(ChargebeeProvider).FullName!);

        if (kind == ProviderKind.Whop)
        {
            var classifier = new WhopResponseClassifier(options.EffectiveLockout, options.Timeout);
            var caller = new ProviderCaller("whop", client, pacer, time, logger, backoff, redactor, classifier.ClassifyFailure);
            return new WhopProvider(accountName, caller, options, logger);
        }

        // Chargebee's limit "resets after about a minute" (the provider's API docs): without Retry-After wait one window.
        var cbClassifier = new ChargebeeResponseClassifier(options.EffectiveWindow, options.Timeout);
        var cbCaller = new ProviderCaller("chargebee", client, pacer, time, logger, backoff, redactor, cbClassifier.ClassifyFailure);
        return new ChargebeeProvider(accountName, cbCaller, options, backoff, logger);
    }
}
