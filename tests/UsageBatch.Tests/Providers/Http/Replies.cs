using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using UsageBatch.Providers.Http;

namespace UsageBatch.Tests.Providers.Http;

/// <summary>Canned provider answers for the classification tables.</summary>
internal static class Replies
{
    public const string HtmlBadGateway = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>";

    public static ProviderReply Status(int status, string? body = null, string? retryAfter = null) => new(status, body, retryAfter);

    public static ProviderReply Refused() =>
        new(0, null, Error: new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (127.0.0.1:9)", new SocketException((int)SocketError.ConnectionRefused)));

    public static ProviderReply DnsFailure() =>
        new(0, null, Error: new HttpRequestException(HttpRequestError.NameResolutionError, "Name or service not known (nowhere.invalid:443)", new SocketException((int)SocketError.HostNotFound)));

    public static ProviderReply ResetAfterWrite() =>
        new(0, null, Error: new HttpRequestException(HttpRequestError.Unknown, "An error occurred while sending the request.",
            new IOException("Unable to read data from the transport connection: Connection reset by peer.", new SocketException((int)SocketError.ConnectionReset))));

    public static ProviderReply EndedPrematurely() =>
        new(0, null, Error: new HttpRequestException(HttpRequestError.ResponseEnded, "An error occurred while sending the request.",
            new HttpIOException(HttpRequestError.ResponseEnded, "The response ended prematurely.")));

    public static ProviderReply TimedOut() =>
        new(0, null, Error: new TaskCanceledException("The request was canceled due to the configured timeout", new TimeoutException()), TimedOut: true);

    public static string HttpDate(DateTimeOffset instant) => instant.ToString("r", System.Globalization.CultureInfo.InvariantCulture);

    public static HttpStatusCode Code(int status) => (HttpStatusCode)status;
}
