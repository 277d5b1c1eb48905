using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace UsageBatch.OperatorConsole.Security;

/// <summary>
/// The console's access key (console.authKeyEnv). A request proves it with <c>Authorization: Bearer KEY</c> (scripts,
/// Prometheus) or with the session cookie the sign-in page sets (browsers). The cookie holds an HMAC derived from the
/// key, never the key itself; rotating the key signs every browser out. Liveness and readiness stay open so probes
/// need no secret; they show no data beyond check names and states.
/// </summary>
internal sealed class AccessKey(string key)
{
    public const string CookieName = "usagebatch_console";

    private readonly byte[] _key = Encoding.UTF8.GetBytes(key);
    private readonly string _session = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), "usagebatch-console-session"u8));

    public static bool IsOpen(PathString path) =>
        path.StartsWithSegments("/health/live") || path.StartsWithSegments("/health/ready") || path == "/login" || path == "/console.css";

    public bool Matches(string? offered) =>
        offered is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(offered)), SHA256.HashData(_key));

    public string SessionValue => _session;

    public bool IsSignedIn(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.Ordinal) && Matches(header["Bearer ".Length..].Trim()))
        {
            return true;
        }

        return context.Request.Cookies.TryGetValue(CookieName, out var cookie)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(cookie), Encoding.UTF8.GetBytes(_session));
    }

    /// <summary>The middleware: pages redirect to sign-in; anything else (a POST, /metrics) gets 401.</summary>
    public async Task Guard(HttpContext context, Func<Task> next)
    {
        if (IsOpen(context.Request.Path) || IsSignedIn(context))
        {
            await next();
            return;
        }

        if (HttpMethods.IsGet(context.Request.Method) && context.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.Ordinal))
        {
            context.Response.Redirect("/login?return=" + Uri.EscapeDataString(context.Request.Path + context.Request.QueryString));
            return;
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"usagebatch console\"";
        await context.Response.WriteAsync("401: this console needs its access key (Authorization: Bearer KEY, or sign in at /login)\n", context.RequestAborted);
    }

    public CookieOptions CookieOptions(HttpContext context) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = context.Request.IsHttps,
        Path = "/",
        IsEssential = true,
    };

    /// <summary>Only a local path may follow sign-in (never another site, never a protocol-relative //host).</summary>
    public static string SafeReturn(string? path) =>
        path is { Length: > 0 } p && p[0] == '/' && !p.StartsWith("//", StringComparison.Ordinal) && !p.StartsWith("/\\", StringComparison.Ordinal) ? p : "/";
}
