using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using UsageBatch.Hosting;

namespace UsageBatch.Tests.Hosting;

/// <summary>Which lifetime `serve` gets: systemd's when told to notify, else (here: not a Windows service) the console's.</summary>
public sealed class ServiceManagerTests
{
    [Fact]
    public void NoServiceManager_LeavesTheConsoleLifetime()
    {
        var services = new ServiceCollection().AddServiceManagerLifetime(_ => null);

        // Not run by systemd or the Windows SCM: nothing replaces the host's own ConsoleLifetime (Ctrl+C stops it).
        Assert.False(ServiceManager.UnderSystemd(_ => null));
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(IHostLifetime));
        Assert.False(OperatingSystem.IsWindows() && Microsoft.Extensions.Hosting.WindowsServices.WindowsServiceHelpers.IsWindowsService());
    }

    [Fact]
    public void NotifySocket_SelectsSystemdsLifetimeAndNotifier()
    {
        var services = new ServiceCollection().AddServiceManagerLifetime(name => name == "NOTIFY_SOCKET" ? "/run/systemd/notify" : null);

        Assert.Contains(services, d => d.ServiceType == typeof(IHostLifetime) && d.ImplementationType == typeof(SystemdLifetime));
        Assert.Contains(services, d => d.ServiceType == typeof(ISystemdNotifier) && d.ImplementationType == typeof(SystemdNotifier));
    }
}
