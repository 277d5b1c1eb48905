using System.Diagnostics;
using UsageBatch.Cli;

namespace UsageBatch.Tests.TestSupport;

/// <summary>Runs `usagebatch` the way an operator does: in process through <see cref="CliApp"/>, or as the built binary.</summary>
internal static class CliRun
{
    public sealed record Result(int Exit, string Output, string Error)
    {
        public string All => Output + Error;
    }

    public static async Task<Result> InProcessAsync(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await CliApp.RunAsync(args, output, error, name => environment is not null && environment.TryGetValue(name, out var v) ? v : null);
        return new Result(exit, output.ToString(), error.ToString());
    }

    /// <summary>The real executable (usagebatch.dll next to the tests) with exactly these extra environment variables.</summary>
    public static async Task<Result> BinaryAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "usagebatch.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in new[] { "WHOP_API_KEY", "CHARGEBEE_API_KEY" })
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await output, await error);
    }
}
