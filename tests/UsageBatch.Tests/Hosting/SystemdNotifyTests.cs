using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using UsageBatch.Cli;
using UsageBatch.Reliability;

namespace UsageBatch.Tests.Hosting;

/// <summary>
/// `serve` under systemd's notify protocol (Type=notify), without systemd: the test binds the Unix datagram socket
/// that $NOTIFY_SOCKET names, starts the real executable, and reads what it sends: READY=1 once the host (and so
/// the scheduler) has started, STOPPING=1 when SIGTERM asks it to stop, and a clean exit.
/// </summary>
public sealed class SystemdNotifyTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "usagebatch-notify", Guid.NewGuid().ToString("N")[..12]);

    public SystemdNotifyTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Serve_WithNotifySocket_SendsReadyOnceStarted_AndStoppingOnSigterm()
    {
        var config = Path.Combine(_folder, "jobs.json");
        await File.WriteAllTextAsync(config, """
            {
              "database": { "provider": "sqlite", "connectionString": "Data Source=usage.db" },
              "providers": { "whop": { "type": "whop", "baseUrl": "http://127.0.0.1:1/api/v5", "apiKeyEnv": "UB_NOTIFY_TEST_KEY", "currency": "USD" } },
              "jobs": [ { "name": "whop-nightly", "provider": "whop", "cron": "0 15 3 * * ?" } ],
              "scheduler": { "store": "memory" },
              "console": { "enabled": false },
              "reports": { "directory": "reports" },
              "logging": { "directory": "logs" }
            }
            """);
        var initError = new StringWriter();
        Assert.True(await CliApp.RunAsync(["--config", config, "db", "init"], TextWriter.Null, initError, _ => null) == 0, initError.ToString());

        var socketPath = Path.Combine(_folder, "notify.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));

        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _folder };
        start.ArgumentList.Add(ReliabilityPaths.HostDll);
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(config);
        start.ArgumentList.Add("serve");
        start.Environment["NOTIFY_SOCKET"] = socketPath;
        start.Environment["UB_NOTIFY_TEST_KEY"] = "not-a-real-key";
        using var serve = new ChildRun(start);
        try
        {
            var ready = await ReceiveAsync(socket, TimeSpan.FromSeconds(60));
            Assert.True(ready == "READY=1", $"expected READY=1, got '{ready}'\n{serve.Output}");
            Assert.False(serve.Process.HasExited, serve.Output);
            // Under systemd the console is the journal: each line starts with its syslog priority.
            // (The start lines follow READY=1; the child's output arrives asynchronously.)
            for (var i = 0; i < 100 && !serve.Output.Contains("<6>", StringComparison.Ordinal); i++)
            {
                await Task.Delay(100);
            }

            Assert.Contains("<6>", serve.Output, StringComparison.Ordinal);

            using (var kill = Process.Start("kill", ["-TERM", serve.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            var stopping = await ReceiveAsync(socket, TimeSpan.FromSeconds(30));
            Assert.True(stopping == "STOPPING=1", $"expected STOPPING=1, got '{stopping}'\n{serve.Output}");
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(40));
            await serve.Process.WaitForExitAsync(exit.Token);
            Assert.True(serve.Process.ExitCode == 0, $"exit {serve.Process.ExitCode}\n{serve.Output}");
        }
        finally
        {
            if (!serve.Process.HasExited)
            {
                serve.Process.Kill(entireProcessTree: true);
            }
        }
    }

    private static async Task<string> ReceiveAsync(Socket socket, TimeSpan timeout)
    {
        var buffer = new byte[4096];
        using var cancel = new CancellationTokenSource(timeout);
        var received = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token);
        return Encoding.UTF8.GetString(buffer, 0, received).Trim();
    }
}
