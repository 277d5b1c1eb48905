using System.Net.Sockets;
using System.Security.Authentication;

namespace UsageBatch.Providers.Http;

/// <summary>
/// Decides, from the exception alone, whether a request that got no HTTP response provably never reached the
/// provider (safe to send again) or may have been processed (the outcome is unknown).
/// </summary>
/// <remarks>
/// Only failures that happen before any request byte can be written are "not sent": DNS failure, a refused or
/// unreachable connect, a failed TLS handshake. Everything else (timeouts, resets, "response ended prematurely")
/// may come after the server read the request, so it is unknown. A server that drops the connection before
/// processing looks exactly like one that drops it after processing, so both are unknown: being wrong in that
/// direction costs a look-up, the other direction costs a double bill.
/// Since .NET 6, SocketsHttpHandler itself never re-sends a request whose headers were written
/// (dotnet/runtime#60644), so a POST is not silently duplicated below us.
/// </remarks>
internal static class TransportFailure
{
    public static bool ProvesNotSent(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case OperationCanceledException or TimeoutException or IOException:
                    // A timeout or stream failure: the request may well have been written.
                    return false;
                case HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError }:
                    return true;
                case SocketException socket when IsConnectFailure(socket.SocketErrorCode):
                    return true;
                case AuthenticationException:
                    // TLS handshake failed: nothing of the HTTP request was sent.
                    return true;
                default:
                    break;
            }
        }

        return false;
    }

    private static bool IsConnectFailure(SocketError code) => code is
        SocketError.ConnectionRefused or
        SocketError.HostNotFound or
        SocketError.TryAgain or
        SocketError.NoData or
        SocketError.HostUnreachable or
        SocketError.NetworkUnreachable or
        SocketError.AddressNotAvailable;

    /// <summary>A short description for messages: the exception types and messages, never headers.</summary>
    public static string Describe(Exception? error)
    {
        if (error is null)
        {
            return "no response";
        }

        var inner = error.GetBaseException();
        return ReferenceEquals(inner, error) ? $"{error.GetType().Name}: {error.Message}" : $"{error.GetType().Name}: {error.Message} ({inner.GetType().Name}: {inner.Message})";
    }
}
