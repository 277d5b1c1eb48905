using UsageBatch.Configuration;
using UsageBatch.Providers;

namespace UsageBatch.Tests;

public sealed class SmokeTests
{
    [Fact]
    public void ProviderAccount_DefaultsDependOnProvider()
    {
        var whop = new ProviderAccountOptions { Type = "whop" };
        var chargebee = new ProviderAccountOptions { Type = "chargebee", Site = "acme-test" };
        Assert.Equal(18, whop.EffectiveRequestsPerWindow);
        Assert.Equal(140, chargebee.EffectiveRequestsPerWindow);
        Assert.Equal("https://acme-test.chargebee.com/api/v2", chargebee.EffectiveBaseUrl);
        Assert.Equal("chargebee", chargebee.Module.Type);
    }
}
