using Microsoft.Extensions.Logging;
using RestSharp;
using RestSharp.Authenticators;
using UsageBatch.Configuration;
using UsageBatch.Providers.Http;
using UsageBatch.Providers.Pacing;

namespace UsageBatch.Providers;

/// <summary>
/// What every provider client of one account is built from, the same for all providers: one RestClient, one pacer,
/// the key's redactor, the clock and the loggers. A module adds its authenticator, classifier and client.
/// </summary>
internal sealed class ProviderHttp(ProviderAccountOptions account, string apiKey, TimeProvider time, ILoggerFactory loggers)
{
    public string ApiKey => apiKey;

    public TimeProvider Time => time;

    public RestClient Client(IAuthenticator authenticator) => new(new RestClientOptions(new Uri(account.EffectiveBaseUrl))
    {
        Timeout = account.Timeout,
        // A redirect means a wrong base URL; following it could re-send a POST somewhere else.
        FollowRedirects = false,
        ThrowOnAnyError = false,
        UserAgent = "UsageBatch",
        Authenticator = authenticator,
    });

    public ProviderPacer Pacer() => new(account.EffectiveRequestsPerWindow, account.EffectiveWindow, account.MaxInFlight, time);

    public SecretRedactor Redactor() => new(apiKey);

    public ILogger Logger<T>() => loggers.CreateLogger(typeof(T).FullName!);
}
