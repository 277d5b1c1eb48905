using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using UsageBatch.OperatorConsole.Security;

namespace UsageBatch.Tests.OperatorConsole;

public sealed class SecurityHeadersTests
{
    [Fact]
    public async Task CacheControl_IsNoStore_AndNoCache_SoAntiforgeryHasNothingToOverrideOrWarnAbout()
    {
        var context = new DefaultHttpContext();

        await SecurityHeaders.Apply(context, () => Task.CompletedTask);

        // Antiforgery warns on every page view unless Cache-Control already says no-cache (its own check, this parse).
        var value = CacheControlHeaderValue.Parse(context.Response.Headers.CacheControl.ToString());
        Assert.True(value.NoCache && value.NoStore, context.Response.Headers.CacheControl.ToString());
    }
}
