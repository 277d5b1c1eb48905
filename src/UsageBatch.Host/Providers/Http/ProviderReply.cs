using System.Globalization;
using RestSharp;

namespace UsageBatch.Providers.Http;

/// <summary>
/// What one HTTP exchange produced, reduced to what classification needs. Separate from RestSharp's response so
/// the classifiers can be tested with canned answers. Headers other than Retry-After are dropped on purpose: they
/// may echo credentials and must never reach messages or logs.
/// </summary>
/// <param name="Status">HTTP status, or 0 when no response arrived.</param>
/// <param name="Body">Response body as text (may be empty, HTML, or truncated JSON).</param>
/// <param name="RetryAfter">The raw Retry-After header, if any.</param>
/// <param name="Error">The transport exception when no response arrived.</param>
/// <param name="TimedOut">The account's timeout elapsed before a response arrived.</param>
internal sealed record ProviderReply(int Status, string? Body, string? RetryAfter = null, Exception? Error = null, bool TimedOut = false)
{
    public bool HasResponse => Status > 0;

    public bool IsSuccess => Status is >= 200 and < 300;

    public static ProviderReply From(RestResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var retryAfter = response.Headers?
            .FirstOrDefault(h => string.Equals(h.Name, "Retry-After", StringComparison.OrdinalIgnoreCase))?.Value;
        return new ProviderReply(
            (int)response.StatusCode,
            response.Content,
            retryAfter is null ? null : Convert.ToString(retryAfter, CultureInfo.InvariantCulture),
            response.StatusCode == 0 ? response.ErrorException : null,
            response.ResponseStatus == ResponseStatus.TimedOut);
    }
}
