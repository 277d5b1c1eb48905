using Microsoft.AspNetCore.Http;

namespace UsageBatch.OperatorConsole.Security;

/// <summary>
/// Headers on every response. The Content-Security-Policy allows nothing but this origin's stylesheet, images and
/// form posts: no script at all, no inline style, no framing. Pages carry live billing state, so nothing is cached.
/// </summary>
internal static class SecurityHeaders
{
    public const string Policy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static Task Apply(HttpContext context, Func<Task> next)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = Policy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        // no-cache as well as no-store: antiforgery sets exactly these on the pages with a form, and logs a warning
        // (ResponseCacheHeadersOverridenToNoCache) on every page view whose Cache-Control lacks no-cache.
        headers.CacheControl = "no-cache, no-store";
        return next();
    }

    /// <summary>The policy for a served report file, whose one inline style block is allowed by its hash alone.</summary>
    public static string ReportPolicy(string html)
    {
        var start = html.IndexOf("<style>", StringComparison.Ordinal);
        var end = html.IndexOf("</style>", StringComparison.Ordinal);
        var style = start >= 0 && end > start ? html[(start + "<style>".Length)..end] : "";
        var hash = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(style)));
        return $"default-src 'none'; style-src 'sha256-{hash}'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
    }
}
