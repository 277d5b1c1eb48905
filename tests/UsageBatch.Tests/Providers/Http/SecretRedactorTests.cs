using UsageBatch.Providers;
using UsageBatch.Providers.Http;

namespace UsageBatch.Tests.Providers.Http;

public sealed class SecretRedactorTests
{
    [Fact]
    public void Redact_MessageEchoingKeyOrBasicToken_MasksBoth()
    {
        var redactor = new SecretRedactor("cb_secret");
        var basic = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("cb_secret:"));
        var outcome = redactor.Redact(ProviderOutcome.Fatal($"bad key cb_secret (Basic {basic})", 401));

        Assert.DoesNotContain("cb_secret", outcome.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(basic, outcome.Message, StringComparison.Ordinal);
        Assert.Equal(401, outcome.HttpStatus);
    }
}
