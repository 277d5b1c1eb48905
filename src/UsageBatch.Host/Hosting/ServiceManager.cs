using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Hosting.WindowsServices;

namespace UsageBatch.Hosting;

/// <summary>
/// `serve` under a service manager: systemd (Type=notify: READY=1 once the scheduler runs, STOPPING=1 when it is
/// asked to stop) or the Windows Service Control Manager; elsewhere a plain console app (Ctrl+C stops it).
/// </summary>
internal static class ServiceManager
{
    public const string WindowsServiceName = "UsageBatch";

    /// <summary>
    /// Whether to speak systemd's notify protocol. Microsoft's <c>AddSystemd</c> decides on its own (only when the
    /// parent process is systemd); here the condition is explicit, and the socket systemd names is enough, so a
    /// test can bind one and watch the same code systemd would.
    /// </summary>
    public static bool UnderSystemd(Func<string, string?> environment) =>
        !string.IsNullOrEmpty(environment("NOTIFY_SOCKET")) || SystemdHelpers.IsSystemdService();

    public static IServiceCollection AddServiceManagerLifetime(this IServiceCollection services, Func<string, string?> environment)
    {
        if (UnderSystemd(environment))
        {
            // SystemdNotifier writes to $NOTIFY_SOCKET; SystemdLifetime sends READY=1 when the host has started
            // (every hosted service, the Quartz scheduler among them, is running) and STOPPING=1 on SIGTERM.
            services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
            services.AddSingleton<IHostLifetime, SystemdLifetime>();
        }
        else if (WindowsServiceHelpers.IsWindowsService())
        {
            // Started by the SCM: its stop request stops the host like Ctrl+C does on a console.
            services.AddWindowsService(o => o.ServiceName = WindowsServiceName);
        }

        return services;
    }
}
