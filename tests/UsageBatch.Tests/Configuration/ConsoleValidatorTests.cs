using UsageBatch.Configuration;

namespace UsageBatch.Tests.Configuration;

public sealed class ConsoleValidatorTests
{
    private static AppOptions Options(string urls, string? keyEnv = null) => new()
    {
        Console = { Urls = urls, AuthKeyEnv = keyEnv },
        Jobs = { new JobOptions { Name = "a", HealthyWithin = TimeSpan.FromHours(-1), MaxPendingAge = TimeSpan.Zero } },
    };

    private static List<string> Errors(AppOptions options, Func<string, string?>? environment = null, bool requireKey = true)
    {
        var errors = new List<string>();
        ConsoleValidator.Validate(options, environment ?? (_ => null), requireKey, errors);
        return errors.Where(e => e.StartsWith("console.", StringComparison.Ordinal)).ToList();
    }

    [Theory]
    [InlineData("http://127.0.0.1:5090")]
    [InlineData("http://localhost:5090")]
    [InlineData("http://[::1]:5090;http://127.0.0.2:6000")]
    public void Validate_LoopbackWithoutKey_IsFine(string urls) => Assert.Empty(Errors(Options(urls)));

    [Theory]
    [InlineData("http://0.0.0.0:5090", "0.0.0.0:5090")]
    [InlineData("http://*:5090", "0.0.0.0:5090")]
    [InlineData("http://127.0.0.1:5090;http://10.1.2.3:5090", "10.1.2.3:5090")]
    public void Validate_BeyondLoopbackWithoutKey_FailsByKeyPathNamingTheAddress(string urls, string address)
    {
        var error = Assert.Single(Errors(Options(urls)));

        Assert.StartsWith("console.authKeyEnv: required because console.urls listens beyond loopback (" + address, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BeyondLoopbackWithAKeyInTheEnvironment_IsFine() =>
        Assert.Empty(Errors(Options("http://0.0.0.0:5090", "UB_KEY"), name => name == "UB_KEY" ? "a-long-enough-console-key" : null));

    [Fact]
    public void Validate_KeyVariableUnsetOrShort_SaysSoWithoutTheValue()
    {
        Assert.Equal(["console.authKeyEnv: environment variable UB_KEY is not set (it must hold the console's access key)"], Errors(Options("http://0.0.0.0:5090", "UB_KEY")));
        var error = Assert.Single(Errors(Options("http://0.0.0.0:5090", "UB_KEY"), _ => "short-secret"));
        Assert.Equal("console.authKeyEnv: the key in UB_KEY has 12 characters; use at least 16", error);
    }

    [Fact]
    public void Validate_KeyNotRequiredNow_OnlyTheStructureIsChecked() =>
        Assert.Empty(Errors(Options("http://0.0.0.0:5090", "UB_KEY"), requireKey: false));

    [Theory]
    [InlineData("https://127.0.0.1:5090", "https is not served directly")]
    [InlineData("127.0.0.1:5090", "is not an address like http://127.0.0.1:5090")]
    [InlineData("http://127.0.0.1:5090/console", "is not an address like http://127.0.0.1:5090")]
    [InlineData(" ; ", "at least one address is required")]
    public void Validate_BadUrl_NamesTheKey(string urls, string expected)
    {
        var error = Assert.Single(Errors(Options(urls)));

        Assert.StartsWith("console.urls: ", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_HealthWindows_MustBePositive()
    {
        var errors = new List<string>();
        ConsoleValidator.Validate(Options("http://127.0.0.1:5090"), _ => null, true, errors);

        Assert.Equal(["jobs[0].healthyWithin: must be a positive duration", "jobs[0].maxPendingAge: must be a positive duration"], errors);
    }
}
